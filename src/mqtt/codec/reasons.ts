// Reason codes as sentences a person can act on (MQTT 5.0 section 2.4, 3.1.1 section 3.2.2.3),
// and which codes each packet type may carry.

/** Every MQTT 5 reason code. 0x00 reads "success" here; its packet gives it a finer name. */
export const REASON_TEXTS: Readonly<Record<number, string>> = Object.freeze({
  0x00: "success",
  0x01: "granted QoS 1",
  0x02: "granted QoS 2",
  0x04: "disconnect with will message",
  0x10: "no matching subscribers",
  0x11: "no subscription existed",
  0x18: "continue authentication",
  0x19: "re-authenticate",
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

/** MQTT 5 CONNACK reason code -> sentence. */
export const CONNACK_REASONS: Readonly<Record<number, string>> = Object.freeze({
  0x00: "connection accepted",
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
  0x8c: "bad authentication method",
  0x90: "topic name invalid",
  0x95: "packet too large",
  0x97: "quota exceeded",
  0x99: "payload format invalid",
  0x9a: "retain not supported",
  0x9b: "QoS not supported",
  0x9c: "use another server",
  0x9d: "server moved",
  0x9f: "connection rate exceeded",
});

/** MQTT 3.1/3.1.1 CONNACK return code -> sentence. */
export const CONNACK_RETURN_CODES: Readonly<Record<number, string>> = Object.freeze({
  0: "connection accepted",
  1: "unacceptable protocol version",
  2: "identifier rejected",
  3: "server unavailable",
  4: "bad user name or password",
  5: "not authorized",
});

// 3.1.1 return codes 1..5 and the MQTT 5 reason codes that mean the same.
const RETURN_TO_REASON: readonly number[] = Object.freeze([0x00, 0x84, 0x85, 0x88, 0x86, 0x87]);

/** The MQTT 5 reason code equivalent to a 3.1.1 CONNACK return code (0x80 for an unknown one). */
export function connackReasonCode(returnCode: number): number {
  return returnCode >= 0 && returnCode < RETURN_TO_REASON.length ? RETURN_TO_REASON[returnCode] : 0x80;
}

/** A sentence for an MQTT 5 reason code, e.g. reasonText(0x86) -> "bad user name or password". */
export function reasonText(code: number): string {
  const text = REASON_TEXTS[code];
  return text === undefined ? `unknown reason code 0x${code.toString(16).padStart(2, "0")}` : text;
}

/** The reason codes each MQTT 5 packet may carry, keyed by `cmd`. */
export const REASONS_BY_PACKET: Readonly<Record<string, readonly number[]>> = Object.freeze({
  connack: Object.freeze([
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a,
    0x9b, 0x9c, 0x9d, 0x9f,
  ]),
  puback: Object.freeze([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
  pubrec: Object.freeze([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
  pubrel: Object.freeze([0x00, 0x92]),
  pubcomp: Object.freeze([0x00, 0x92]),
  suback: Object.freeze([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]),
  unsuback: Object.freeze([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]),
  disconnect: Object.freeze([
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ]),
  auth: Object.freeze([0x00, 0x18, 0x19]),
});

/** True if `code` is a reason code the MQTT 5 packet `cmd` may carry. */
export function isReasonFor(cmd: string, code: number): boolean {
  const codes = REASONS_BY_PACKET[cmd];
  return codes !== undefined && codes.indexOf(code) !== -1;
}
