// The relay's MQTT face: `on`, `off`, `toggle` or {"state":"ON"|"OFF"|"TOGGLE"} on <prefix>/relay;
// the state, retained, on <prefix>/relay/state after every change (its own auto-off included) and
// every (re)connect. The state is kept in the store and restored at boot; a retained command is
// applied only when relayRetained is true.
import { Relay } from "../device/relay.js";
import { frozenFields, settingsOf } from "../fields.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import { readCommand, switchAction, switchRefusal } from "./command.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";

const SETTINGS = frozenFields({
  pin: { kind: "integer", default: 26, min: 0, max: 255, doc: "GPIO of the relay's input" },
  activeLow: { kind: "boolean", default: false, doc: "the relay module switches on when its input is low (many do)" },
  autoOff: { kind: "integer", default: 0, min: 0, max: 86400, doc: "seconds after which an on relay switches itself off (0: never)" },
  retained: { kind: "boolean", default: false, doc: "whether a retained command (seen when subscribing) switches the relay" },
});

export const relay: DeviceKind = Object.freeze({
  settings: SETTINGS,
  example: "on",
  create: (context: EntityContext, line: DeviceLine): Entity => new RelayEntity(context, line),
});

class RelayEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #name: string;
  readonly #relay: Relay;
  readonly #storeKey: string;
  readonly #commandTopic: string;
  readonly #stateTopic: string;
  readonly #retained: boolean;

  constructor(context: EntityContext, line: DeviceLine) {
    const { host, link, config } = context;
    const settings = settingsOf(config, line.name, SETTINGS);
    this.#context = context;
    this.#name = line.name;
    this.#storeKey = `app.${line.name}`;
    this.#commandTopic = topicOf(context, line);
    this.#stateTopic = `${this.#commandTopic}/state`;
    this.#retained = settings.retained;
    const options = { pin: host.pins.output(line.name, settings.pin), timers: host.timers, activeLow: settings.activeLow, autoOff: settings.autoOff * 1000, listener: this };
    this.#relay = new Relay(options, host.store.read(this.#storeKey)?.[0] === 1);
    link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    if (message.retain && !this.#retained) {
      context.host.log(`ignored retained ${this.#commandTopic} command`);
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    const action = switchAction(command);
    if (action === undefined) {
      context.refuse(this.#commandTopic, message.payload, switchRefusal(command));
      return;
    }
    const relay = this.#relay;
    relay.set(action === "toggle" ? !relay.on : action === "on");
    this.#changed();
  }

  /** The relay switched itself off. */
  onAutoOff(): void {
    this.#changed();
  }

  /** Publishes the state, retained (QoS 0: it is republished on every connect). */
  connected(): void {
    this.#context.link.publish(this.#stateTopic, this.#relay.on ? "on" : "off", { qos: 0, retain: true, coalesce: true });
  }

  discovery(): DiscoveryEntry[] {
    return [{ component: "switch", objectId: this.#name, config: { name: "Relay", cmd_t: this.#commandTopic, stat_t: this.#stateTopic, pl_on: "on", pl_off: "off" } }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
    this.#relay.stop();
  }

  #changed(): void {
    const context = this.#context;
    if (!context.host.store.write(this.#storeKey, Uint8Array.of(this.#relay.on ? 1 : 0)))
      context.host.log(`could not store the ${this.#name} state; it will not survive a reboot`);
    this.connected();
  }
}
