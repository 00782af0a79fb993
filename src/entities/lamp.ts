// The lamp's MQTT face: `on`, `off`, `toggle` or {"state":"ON"|"OFF"|"TOGGLE"} on <prefix>/lamp;
// the state, retained, on <prefix>/lamp/state after every command and every (re)connect. The last
// state is kept in the store and restored at boot. A retained command (seen when subscribing) is
// applied only when lampRetained is true: by default the store, not an old retained message,
// decides how the lamp wakes up.
import type { Config } from "../config.js";
import { Lamp } from "../device/lamp.js";
import { frozenFields, settingsOf } from "../fields.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import { readCommand, switchAction, switchRefusal } from "./command.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";

const SETTINGS = frozenFields({
  pin: { kind: "integer", default: 2, min: 0, max: 255, doc: "GPIO of the lamp's output (active high)" },
  retained: { kind: "boolean", default: false, doc: "whether a retained command (seen when subscribing) switches the lamp" },
});

export const lamp: DeviceKind = Object.freeze({
  settings: SETTINGS,
  example: "on",
  create: (context: EntityContext, line: DeviceLine): Entity => new LampEntity(context, line),
});

class LampEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #name: string;
  readonly #lamp: Lamp;
  readonly #storeKey: string;
  readonly #commandTopic: string;
  readonly #stateTopic: string;
  #honourRetained: boolean;

  constructor(context: EntityContext, line: DeviceLine) {
    const { host, link, config } = context;
    const settings = settingsOf(config, line.name, SETTINGS);
    this.#context = context;
    this.#name = line.name;
    this.#storeKey = `app.${line.name}`;
    this.#lamp = new Lamp(host.pins.output(line.name, settings.pin), host.store.read(this.#storeKey)?.[0] === 1);
    this.#commandTopic = topicOf(context, line);
    this.#stateTopic = `${this.#commandTopic}/state`;
    this.#honourRetained = settings.retained;
    link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    const lamp = this.#lamp;
    if (message.retain && !this.#honourRetained) {
      context.host.log(`ignored retained ${this.#commandTopic} command (${this.#name}Retained is false)`);
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    const action = switchAction(command);
    if (action === undefined) {
      context.refuse(this.#commandTopic, message.payload, switchRefusal(command));
      return;
    }
    const changed = lamp.set(action === "toggle" ? !lamp.on : action === "on");
    if (changed && !context.host.store.write(this.#storeKey, Uint8Array.of(lamp.on ? 1 : 0)))
      context.host.log(`could not store the ${this.#name} state; it will not survive a reboot`);
    this.connected();
  }

  /** Publishes the state. QoS 0: it is republished on every connect, so a lost one costs nothing;
   * and a QoS 1 PUBACK left unacknowledged on our socket lets the broker's Nagle delay the next
   * command ~40 ms. */
  connected(): void {
    const state = this.#lamp.on ? "on" : "off";
    this.#context.link.publish(this.#stateTopic, state, { qos: 0, retain: true, coalesce: true });
  }

  configure(next: Config): void {
    this.#honourRetained = settingsOf(next, this.#name, SETTINGS).retained;
  }

  discovery(): DiscoveryEntry[] {
    return [{ component: "light", objectId: this.#name, config: { name: "Lamp", cmd_t: this.#commandTopic, stat_t: this.#stateTopic, pl_on: "on", pl_off: "off" } }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
  }
}
