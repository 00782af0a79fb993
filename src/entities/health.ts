// Health telemetry: every healthPeriod, and after each connect, a JSON snapshot on <prefix>/health.
// QoS 0 and coalesced: only the newest snapshot is worth sending after an outage.
import type { Entity, EntityContext } from "./entity.js";
import type { TimerHandle } from "../host.js";

/** What the MQTT client can tell about the link and its outbox. */
export interface LinkStats {
  reconnects: number;
  outboxBytes: number;
  outboxMessages: number;
  drops: number;
  coalesced: number;
}

export function createHealth(context: EntityContext, stats: () => LinkStats): Entity {
  const { host, link } = context;
  const topic = context.topic("health");
  const started = host.clock.now();
  const period = context.config.healthPeriod;
  let timer: TimerHandle | undefined;

  const publish = (): void => {
    const s = stats();
    const free = host.freeMemory?.();
    const snapshot = {
      uptime: Math.floor((host.clock.now() - started) / 1000),
      reconnects: s.reconnects,
      outboxBytes: s.outboxBytes,
      outboxMessages: s.outboxMessages,
      drops: s.drops,
      coalesced: s.coalesced,
      freeMemory: free ?? null,
    };
    link.publish(topic, JSON.stringify(snapshot), { qos: 0, coalesce: true });
  };
  const tick = (): void => {
    publish();
    timer = host.timers.set(tick, period);
  };
  timer = host.timers.set(tick, period);

  return {
    connected: publish,
    stop() {
      if (timer !== undefined) host.timers.clear(timer);
      timer = undefined;
    },
  };
}
