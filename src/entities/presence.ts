// Presence on <prefix>/status, retained: the will `offline` registered at CONNECT, the birth
// `online` after every CONNACK, and a clean `offline` before a deliberate disconnect (the broker
// does not publish the will after a clean DISCONNECT).
import type { Config } from "../config.js";
import type { MqttLink } from "../mqtt/link.js";
import type { QoS } from "../mqtt/link.js";
import type { Timers } from "../host.js";
import { ErrorCode } from "../mqtt/errors.js";

export const ONLINE = "online";
export const OFFLINE = "offline";
/** How soon a birth refused by a full outbox is tried again (the held messages' acks make room). */
export const BIRTH_RETRY = 250;
/** How long a goodbye waits for the broker to acknowledge `offline` before disconnecting anyway. */
export const GOODBYE_WAIT = 2000;

export function statusTopic(config: Config): string {
  return `${config.prefix}/status`;
}

export function will(config: Config): { topic: string; payload: string; qos: QoS; retain: boolean } {
  return { topic: statusTopic(config), payload: OFFLINE, qos: 1, retain: true };
}

/**
 * Publishes `online`. A reconnect with the outbox full of messages held offline has no room for it
 * at first; it is tried again while connected until there is, else the status would say
 * `offline` (the will) while the device is online.
 */
export function birth(link: MqttLink, config: Config, timers: Timers): void {
  const error = link.publish(statusTopic(config), ONLINE, { qos: 1, retain: true, coalesce: true });
  if (error?.code === ErrorCode.OUTBOX_FULL) timers.set(() => link.connected && birth(link, config, timers), BIRTH_RETRY);
}

/** Publishes `offline` when connected and calls `then` once it is acknowledged (or after GOODBYE_WAIT). */
export function goodbye(link: MqttLink, config: Config, timers: Timers, then: () => void): void {
  if (!link.connected) {
    then();
    return;
  }
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    timers.clear(timer);
    then();
  };
  const timer = timers.set(once, GOODBYE_WAIT);
  const error = link.publish(statusTopic(config), OFFLINE, { qos: 1, retain: true, coalesce: true }, once);
  if (error) once();
}
