// What the rest of the firmware (entities, app) sees of the MQTT client. The client in
// ./client.ts implements it; entity tests may use any small implementation of it.
import type { PublishProperties, QoS } from "./codec/packet.js";
import type { ErrorCodeValue } from "./errors.js";

export type { QoS };

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  /** Keep only the newest queued message of this topic in the outbox (state, telemetry). */
  coalesce?: boolean;
  /** MQTT 5 properties (message expiry, content type, ...); dropped on a 3.1.1 link. */
  properties?: PublishProperties;
}

export interface Message {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  properties?: PublishProperties;
}

/** An error as a value: a machine-readable code and a sentence a person can act on. */
export interface MqttError {
  /** One of ErrorCode (errors.ts). */
  code: ErrorCodeValue;
  message: string;
  /** MQTT reason or return code from the broker, when there was one. */
  reasonCode?: number;
  /** The topic of the message (or filter) the error is about, when it is about one. */
  topic?: string;
}

/**
 * Called once per publish: no error when the broker acknowledged it per its QoS (QoS 0: when
 * written), with the QoS it went at, lower than asked when the broker's Maximum QoS is lower.
 */
export type PublishDone = (error: MqttError | undefined, qos?: QoS) => void;

/**
 * A function, or an object whose onMessage receives the messages: an entity can subscribe itself
 * and hold no closure per subscription (on XS a closure costs about ten slots, an object none).
 */
export type MessageHandler = ((message: Message) => void) | MessageReceiver;

export interface MessageReceiver {
  onMessage(message: Message): void;
}

/** A handler of either form as a receiver, so that delivery is one method call with no branch. */
export function receiverOf(handler: MessageHandler): MessageReceiver {
  return typeof handler === "function" ? { onMessage: handler } : handler;
}

export interface MqttLink {
  /**
   * Publishes now or queues in the outbox while offline. Returns an error when the message is
   * refused (invalid topic, outbox full for QoS 1/2); otherwise it is accepted and will not be lost.
   */
  publish(
    topic: string,
    payload: string | Uint8Array,
    options?: PublishOptions,
    done?: PublishDone,
  ): MqttError | undefined;
  /** Subscribes (and resubscribes after every reconnect that lost the session); routes matches to handler. */
  subscribe(filter: string, qos: QoS, handler: MessageHandler): MqttError | undefined;
  /** Unsubscribes (sent even for a filter this process did not subscribe: a kept session may hold it). */
  unsubscribe(filters: string | readonly string[]): MqttError | undefined;
  readonly connected: boolean;
}
