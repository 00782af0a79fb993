// The bell's MQTT face: `ring` (the default pattern) or {"pattern":[on,off,...]} (ms) on
// <prefix>/bell; when a ring has played, {"event":"rung","pattern":[...],"ts":...} on
// <prefix>/bell/event. A ring is a momentary action, so a retained command never rings it.
import type { Config } from "../config.js";
import { Bell } from "../device/bell.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import type { DiscoveryEntry, Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const DEFAULT_RING: readonly number[] = Object.freeze([200, 100, 200]);

export function createBell(context: EntityContext): Entity {
  return new BellEntity(context);
}

class BellEntity implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #bell: Bell;
  readonly #commandTopic: string;
  readonly #eventTopic: string;

  constructor(context: EntityContext) {
    const { host, link, config } = context;
    this.#context = context;
    this.#commandTopic = context.topic("bell");
    this.#eventTopic = context.topic("bell/event");
    this.#bell = new Bell({
      pin: host.bell,
      clock: host.clock,
      timers: host.timers,
      maxDuration: config.bellMaxDuration,
      maxRate: config.bellMaxRate,
      onDone: (pattern) => this.#rung(pattern),
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
    this.#bell.setLimits({ maxDuration: next.bellMaxDuration, maxRate: next.bellMaxRate });
  }

  discovery(): DiscoveryEntry[] {
    return [{ component: "button", objectId: "bell", config: { name: "Bell", command_topic: this.#commandTopic, payload_press: "ring" } }];
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
    this.#bell.stop();
  }

  #rung(pattern: readonly number[]): void {
    const ts = this.#context.host.clock.epoch() ?? null;
    this.#context.link.publish(this.#eventTopic, JSON.stringify({ event: "rung", pattern, ts }), { qos: 1 });
  }
}

function isNumberArray(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((item) => typeof item === "number");
}
