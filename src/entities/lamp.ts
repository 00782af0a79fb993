// The lamp's MQTT face: `on`, `off`, `toggle` or {"state":"ON"|"OFF"|"TOGGLE"} on <prefix>/lamp;
// the state, retained, on <prefix>/lamp/state after every command and every (re)connect. The last
// state is kept in the store and restored at boot. A retained command (seen when subscribing) is
// applied only when config.lampRetained is true: by default the store, not an old retained
// message, decides how the lamp wakes up.
import type { Config } from "../config.js";
import { Lamp } from "../device/lamp.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import type { DiscoveryEntry, Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const LAMP_KEY = "app.lamp";

const ACTIONS: readonly string[] = Object.freeze(["on", "off", "toggle"]);

export function createLamp(context: EntityContext): Entity {
  return new LampEntity(context);
}

class LampEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #lamp: Lamp;
  readonly #commandTopic: string;
  readonly #stateTopic: string;
  #honourRetained: boolean;

  constructor(context: EntityContext) {
    const { host, link, config } = context;
    this.#context = context;
    this.#lamp = new Lamp(host.lamp, host.store.read(LAMP_KEY)?.[0] === 1);
    this.#commandTopic = context.topic("lamp");
    this.#stateTopic = context.topic("lamp/state");
    this.#honourRetained = config.lampRetained;
    link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    const lamp = this.#lamp;
    if (message.retain && !this.#honourRetained) {
      context.host.log(`ignored retained ${this.#commandTopic} command (lampRetained is false)`);
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    const word = command.json ? command.json["state"] : command.text;
    const action = typeof word === "string" ? word.toLowerCase() : undefined;
    if (action === undefined || !ACTIONS.includes(action)) {
      const reason = command.json
        ? 'expected {"state":"ON"}, {"state":"OFF"} or {"state":"TOGGLE"}.'
        : "expected on, off, toggle or a JSON object.";
      context.refuse(this.#commandTopic, message.payload, reason);
      return;
    }
    const changed = lamp.set(action === "toggle" ? !lamp.on : action === "on");
    if (changed && !context.host.store.write(LAMP_KEY, Uint8Array.of(lamp.on ? 1 : 0)))
      context.host.log("could not store the lamp state; it will not survive a reboot");
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
    this.#honourRetained = next.lampRetained;
  }

  discovery(): DiscoveryEntry[] {
    const config = { name: "Lamp", command_topic: this.#commandTopic, state_topic: this.#stateTopic, payload_on: "on", payload_off: "off" };
    return [{ component: "light", objectId: "lamp", config }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
  }
}
