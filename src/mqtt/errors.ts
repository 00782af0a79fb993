// Errors as values with a sentence a person can act on (DESIGN.md rule 6): a closed set of codes,
// and reason codes put into words by the codec's one table (codec/reasons.ts).
import { CONNACK_RETURN_CODES, reasonText } from "./codec/reasons.js";
import type { MqttError } from "./link.js";

/** Every code an MqttError may carry. */
export const ErrorCode = Object.freeze({
  /** publish(): the topic cannot be published to. */
  INVALID_TOPIC: "invalid-topic",
  /** subscribe()/unsubscribe(): the filter is not valid. */
  INVALID_FILTER: "invalid-filter",
  /** publish(): properties or payload that cannot be encoded. */
  INVALID_MESSAGE: "invalid-message",
  /** Larger than the outbox, or than the broker's Maximum Packet Size (sent or received). */
  TOO_LARGE: "too-large",
  /** The outbox had no room for a message. */
  OUTBOX_FULL: "outbox-full",
  /** A queued QoS 0 message dropped for newer ones. */
  DROPPED: "dropped",
  /** A queued message replaced by a newer one of its topic. */
  COALESCED: "coalesced",
  /** Every packet id is in use. */
  NO_PACKET_ID: "no-packet-id",
  /** The broker refused the connection (CONNACK). */
  REFUSED: "refused",
  /** The broker refused a message (PUBACK or PUBREC of 0x80 or more). */
  PUBLISH_REFUSED: "publish-refused",
  /** The broker refused a subscription (SUBACK). */
  SUBSCRIBE_REFUSED: "subscribe-refused",
  /** The broker refused to unsubscribe a filter (UNSUBACK). */
  UNSUBSCRIBE_REFUSED: "unsubscribe-refused",
  /** The broker said it does not do what a message asks (retain, a topic alias beyond its maximum). */
  NOT_SUPPORTED: "not-supported",
  /** The broker broke the protocol, or sent a malformed packet. */
  PROTOCOL: "protocol",
  /** The broker sent DISCONNECT. */
  DISCONNECTED: "disconnected",
  /** The connection failed or was lost. */
  TRANSPORT: "transport",
  /** The host could not open a connection at all. */
  CONNECT_FAILED: "connect-failed",
  /** The connection or the CONNACK did not come in time. */
  TIMEOUT: "timeout",
  /** No answer to PINGREQ: the link is dead. */
  KEEPALIVE: "keepalive",
  /** A message handler threw. */
  HANDLER: "handler",
  /** An application callback threw. */
  CALLBACK: "callback",
});

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export function mqttError(code: ErrorCodeValue, message: string, reasonCode?: number): MqttError {
  return reasonCode === undefined ? { code, message } : { code, message, reasonCode };
}

/** The same error, about a message on `topic`. */
export function about(topic: string, error: MqttError): MqttError {
  error.topic = topic;
  return error;
}

/** A sentence for a reason code of the given protocol version (3.1.1 CONNACK return codes for 3/4). */
export function reasonSentence(code: number, protocolVersion: number, connack = false): string {
  if (protocolVersion < 5 && connack) return CONNACK_RETURN_CODES[code] ?? `return code ${code}`;
  if (protocolVersion < 5 && code === 0x80) return "failure";
  return reasonText(code);
}

/**
 * Refusals that retrying soon cannot fix (credentials, identity, bans): the session backs off to
 * its longest delay so a fleet with a wrong password does not hammer the broker.
 */
export function isPermanentRefusal(code: number, protocolVersion: number): boolean {
  if (protocolVersion < 5) return code === 2 || code === 4 || code === 5;
  return code === 0x85 || code === 0x86 || code === 0x87 || code === 0x8a || code === 0x8c;
}
