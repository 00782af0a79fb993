// An on/off output's MQTT face: `on`, `off`, `toggle` or {"state":"ON"|"OFF"|"TOGGLE"} on
// <prefix>/<name>; the state, retained, on <prefix>/<name>/state after every change (an auto-off
// included) and every (re)connect. The state is kept in the store and restored at boot, so the
// store, not an old retained message, decides how it wakes up: a retained command is applied only
// when its `retained` setting is true. The relay is one such kind; the lamp is another.
import { Relay } from "../device/relay.js";
import { frozenFields, settingsOf, type Field } from "../fields.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import { readCommand, switchAction, switchRefusal } from "./command.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";

/** A kind of on/off output, and how Home Assistant shows it. */
export interface OnOffKind extends DeviceKind {
  readonly component: "light" | "switch";
  /** Its name in Home Assistant. */
  readonly label: string;
}

/** What an on/off output's settings hold; `activeLow` and `autoOff` only when its kind has them. */
interface OnOffSettings {
  readonly pin: number;
  readonly retained: boolean;
  readonly activeLow?: boolean;
  /** Seconds; 0: never. */
  readonly autoOff?: number;
}

/** A kind of on/off output; its settings are fields for those of OnOffSettings it has. */
export function onOff(component: OnOffKind["component"], label: string, settings: Readonly<Record<string, Field>>): OnOffKind {
  return Object.freeze({ settings, example: "on", component, label, create: createOnOff });
}

function createOnOff(context: EntityContext, line: DeviceLine): Entity {
  return new OnOffEntity(context, line, line.kind as OnOffKind);
}

export const relay: OnOffKind = onOff(
  "switch",
  "Relay",
  frozenFields({
    pin: { kind: "integer", default: 26, min: 0, max: 255, doc: "GPIO of the relay's input" },
    activeLow: { kind: "boolean", default: false, doc: "the relay module switches on when its input is low (many do)" },
    autoOff: { kind: "integer", default: 0, min: 0, max: 86400, doc: "seconds after which an on relay switches itself off (0: never)" },
    retained: { kind: "boolean", default: false, doc: "whether a retained command (seen when subscribing) switches the relay" },
  }),
);

class OnOffEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #name: string;
  readonly #kind: OnOffKind;
  readonly #relay: Relay;
  readonly #commandTopic: string;
  readonly #retained: boolean;

  constructor(context: EntityContext, line: DeviceLine, kind: OnOffKind) {
    const { host, link, config } = context;
    const settings = settingsOf(config, line.name, kind.settings) as unknown as OnOffSettings;
    this.#context = context;
    this.#name = line.name;
    this.#kind = kind;
    this.#commandTopic = topicOf(context, line);
    this.#retained = settings.retained;
    const options = {
      pin: host.pins.output(line.name, settings.pin),
      timers: host.timers,
      activeLow: settings.activeLow ?? false,
      autoOff: (settings.autoOff ?? 0) * 1000,
      listener: this,
    };
    this.#relay = new Relay(options, host.store.read(this.#storeKey())?.[0] === 1);
    link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    if (message.retain && !this.#retained) {
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
    const relay = this.#relay;
    if (relay.set(action === "toggle" ? !relay.on : action === "on")) this.#store();
    this.connected();
  }

  /** It switched itself off (the relay calls this). */
  onAutoOff(): void {
    this.#store();
    this.connected();
  }

  /**
   * Publishes the state. QoS 0: it is republished on every connect, so a lost one costs nothing;
   * and a QoS 1 PUBACK left unacknowledged on our socket lets the broker's Nagle delay the next
   * command ~40 ms.
   */
  connected(): void {
    this.#context.link.publish(`${this.#commandTopic}/state`, this.#relay.on ? "on" : "off", { qos: 0, retain: true, coalesce: true });
  }

  discovery(): DiscoveryEntry[] {
    const topic = this.#commandTopic;
    const config = { name: this.#kind.label, cmd_t: topic, stat_t: `${topic}/state`, pl_on: "on", pl_off: "off" };
    return [{ component: this.#kind.component, objectId: this.#name, config }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
    this.#relay.stop();
  }

  #storeKey(): string {
    return `app.${this.#name}`;
  }

  #store(): void {
    const { host } = this.#context;
    if (!host.store.write(this.#storeKey(), Uint8Array.of(this.#relay.on ? 1 : 0)))
      host.log(`could not store the ${this.#name} state; it will not survive a reboot`);
  }
}
