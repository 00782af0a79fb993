// The bell's MQTT face: `ring` (the default pattern) or {"pattern":[on,off,...]} (ms) on
// <prefix>/bell; when a ring has played, {"event":"rung","pattern":[...],"ts":...} on
// <prefix>/bell/event. A ring is a momentary action, so a retained command never rings it.
import type { Config } from "../config.js";
import { Bell } from "../device/bell.js";
import { frozenFields, settingsOf } from "../fields.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const DEFAULT_RING: readonly number[] = Object.freeze([200, 100, 200]);

const SETTINGS = frozenFields({
  pin: { kind: "integer", default: 4, min: 0, max: 255, doc: "GPIO of the bell's output (active high)" },
  maxDuration: { kind: "integer", default: 10000, min: 1, max: 600000, live: true, doc: "longest ring pattern accepted, ms" },
  maxRate: { kind: "integer", default: 6, min: 1, max: 600, live: true, doc: "most rings accepted in any 60 s" },
});

export const bell: DeviceKind = Object.freeze({
  settings: SETTINGS,
  example: "ring",
  create: (context: EntityContext, line: DeviceLine): Entity => new BellEntity(context, line),
});

class BellEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #name: string;
  readonly #bell: Bell;
  readonly #commandTopic: string;
  readonly #eventTopic: string;

  constructor(context: EntityContext, line: DeviceLine) {
    const { host, link, config } = context;
    const settings = settingsOf(config, line.name, SETTINGS);
    this.#context = context;
    this.#name = line.name;
    this.#commandTopic = topicOf(context, line);
    this.#eventTopic = `${this.#commandTopic}/event`;
    this.#bell = new Bell({
      pin: host.pins.output(line.name, settings.pin),
      clock: host.clock,
      timers: host.timers,
      maxDuration: settings.maxDuration,
      maxRate: settings.maxRate,
      listener: this,
    });
    link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    if (message.retain) {
      context.refuse(this.#commandTopic, message.payload, "retained command ignored: a ring must be fresh.");
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    let pattern: readonly number[] | undefined;
    if (!command.json) pattern = command.text.toLowerCase() === "ring" ? DEFAULT_RING : undefined;
    else if (isNumberArray(command.json["pattern"])) pattern = command.json["pattern"];
    if (!pattern) {
      context.refuse(this.#commandTopic, message.payload, 'expected ring or {"pattern":[on,off,...]} in ms.');
      return;
    }
    const refusal = this.#bell.ring(pattern);
    if (refusal) context.refuse(this.#commandTopic, message.payload, refusal);
  }

  configure(next: Config): void {
    const settings = settingsOf(next, this.#name, SETTINGS);
    this.#bell.setLimits({ maxDuration: settings.maxDuration, maxRate: settings.maxRate });
  }

  discovery(): DiscoveryEntry[] {
    return [{ component: "button", objectId: this.#name, config: { name: "Bell", cmd_t: this.#commandTopic, pl_prs: "ring" } }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
    this.#bell.stop();
  }

  /** A ring played to its end (the bell calls this). */
  onDone(pattern: readonly number[]): void {
    const ts = this.#context.host.clock.epoch() ?? null;
    this.#context.link.publish(this.#eventTopic, JSON.stringify({ event: "rung", pattern, ts }), { qos: 1 });
  }
}

function isNumberArray(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((item) => typeof item === "number");
}
