// Errors as values with a sentence a person can act on (DESIGN.md rule 6).
import type { MqttError } from "./link.js";

export function mqttError(code: string, message: string, reasonCode?: number): MqttError {
  return reasonCode === undefined ? { code, message } : { code, message, reasonCode };
}

/** MQTT 3.1.1 CONNACK return codes 1..5 (§3.2.2.3). */
const V4_REFUSALS: readonly string[] = Object.freeze([
  "",
  "unacceptable protocol version",
  "client identifier rejected",
  "server unavailable",
  "bad user name or password",
  "not authorized",
]);

/** MQTT 5 reason codes a client meets in CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK and DISCONNECT. */
const V5_REASONS: Readonly<Record<number, string>> = Object.freeze({
  0x04: "disconnect with will message",
  0x10: "no matching subscribers",
  0x11: "no subscription existed",
  0x80: "unspecified error",
  0x81: "malformed packet",
  0x82: "protocol error",
  0x83: "implementation specific error",
  0x84: "unsupported protocol version",
  0x85: "client identifier not valid",
  0x86: "bad user name or password",
  0x87: "not authorized",
  0x88: "server unavailable",
  0x89: "server busy",
  0x8a: "banned",
  0x8b: "server shutting down",
  0x8c: "bad authentication method",
  0x8d: "keep alive timeout",
  0x8e: "session taken over",
  0x8f: "topic filter invalid",
  0x90: "topic name invalid",
  0x91: "packet identifier in use",
  0x92: "packet identifier not found",
  0x93: "receive maximum exceeded",
  0x94: "topic alias invalid",
  0x95: "packet too large",
  0x96: "message rate too high",
  0x97: "quota exceeded",
  0x98: "administrative action",
  0x99: "payload format invalid",
  0x9a: "retain not supported",
  0x9b: "QoS not supported",
  0x9c: "use another server",
  0x9d: "server moved",
  0x9e: "shared subscriptions not supported",
  0x9f: "connection rate exceeded",
  0xa0: "maximum connect time",
  0xa1: "subscription identifiers not supported",
  0xa2: "wildcard subscriptions not supported",
});

/** A sentence for a reason code of the given protocol version (3.1.1 CONNACK return codes for 3/4). */
export function reasonSentence(code: number, protocolVersion: number, connack = false): string {
  if (protocolVersion < 5 && connack) return V4_REFUSALS[code] ?? `return code ${code}`;
  if (protocolVersion < 5 && code === 0x80) return "failure";
  return V5_REASONS[code] ?? `reason code 0x${code.toString(16)}`;
}

/**
 * Refusals that retrying soon cannot fix (credentials, identity, bans): the session backs off to
 * its longest delay so a fleet with a wrong password does not hammer the broker.
 */
export function isPermanentRefusal(code: number, protocolVersion: number): boolean {
  if (protocolVersion < 5) return code === 2 || code === 4 || code === 5;
  return code === 0x85 || code === 0x86 || code === 0x87 || code === 0x8a || code === 0x8c;
}
