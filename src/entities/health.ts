// Health telemetry: every healthPeriod, and after each connect, a JSON snapshot on <prefix>/health.
// QoS 0 and coalesced: only the newest snapshot is worth sending after an outage.
import type { Entity, EntityContext } from "./entity.js";
import type { TimerHandle } from "../host.js";

/** What the MQTT client can tell about the link and its outbox (README's topic table says what each means). */
export interface LinkStats {
  /** The broker the device is on (one of the `broker` list). */
  broker: string;
  reconnects: number;
  outboxBytes: number;
  outboxMessages: number;
  /** Messages lost, in all; then by cause. */
  drops: number;
  dropsFull: number;
  dropsTooLarge: number;
  dropsRefused: number;
  dropsInvalid: number;
  /** Replaced in the outbox by a newer message of the same topic: not lost, superseded. */
  coalesced: number;
  /** Received messages over maxPacketBytes, skipped unread. */
  skipped: number;
}

export function createHealth(context: EntityContext, stats: () => LinkStats): Entity {
  return new Health(context, stats);
}

class Health implements Entity {
  readonly #context: EntityContext;
  readonly #stats: () => LinkStats;
  readonly #topic: string;
  readonly #started: number;
  #timer: TimerHandle | undefined;
  /** Made once: the timer calls it every period. */
  readonly #tick = (): void => {
    this.connected();
    this.#timer = this.#context.host.timers.set(this.#tick, this.#context.config.healthPeriod);
  };

  constructor(context: EntityContext, stats: () => LinkStats) {
    this.#context = context;
    this.#stats = stats;
    this.#topic = context.topic("health");
    this.#started = context.host.clock.now();
    this.#timer = context.host.timers.set(this.#tick, context.config.healthPeriod);
  }

  /** Publishes a snapshot now. */
  connected(): void {
    const { host, link } = this.#context;
    const s = this.#stats();
    const snapshot = {
      uptime: Math.floor((host.clock.now() - this.#started) / 1000),
      broker: s.broker,
      reconnects: s.reconnects,
      outboxBytes: s.outboxBytes,
      outboxMessages: s.outboxMessages,
      drops: s.drops,
      dropsFull: s.dropsFull,
      dropsTooLarge: s.dropsTooLarge,
      dropsRefused: s.dropsRefused,
      dropsInvalid: s.dropsInvalid,
      coalesced: s.coalesced,
      skipped: s.skipped,
      freeMemory: host.freeMemory?.() ?? null,
    };
    link.publish(this.#topic, JSON.stringify(snapshot), { qos: 0, coalesce: true });
  }

  stop(): void {
    if (this.#timer !== undefined) this.#context.host.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
