// What the client is subscribed to: each filter with its QoS and handler, the SUBSCRIBE and
// UNSUBSCRIBE requests still awaiting their acknowledgement, and what a lost session must get back.
import type { QoS, SubackPacket, SubscribePacket, UnsubscribePacket } from "./codec/index.js";
import { ErrorCode, mqttError, reasonSentence } from "./errors.js";
import { receiverOf, type MessageHandler, type MessageReceiver, type MqttError } from "./link.js";

export interface SubscriptionRequest {
  filter: string;
  qos: QoS;
  handler: MessageHandler;
}

/** Per-filter results of a subscribe: undefined where the broker granted it. */
export type SubscribeDone = (results: Array<MqttError | undefined>) => void;

interface Subscription {
  qos: QoS;
  receiver: MessageReceiver;
}

export interface Request {
  packet: SubscribePacket | UnsubscribePacket;
  done: SubscribeDone | undefined;
}

export class Subscriptions {
  readonly #filters = new Map<string, Subscription>();
  readonly #requests = new Map<number, Request>();

  /** Remembers the filters (a handler given once as a function becomes a receiver here, once). */
  add(requests: readonly SubscriptionRequest[]): void {
    for (const request of requests) this.#filters.set(request.filter, { qos: request.qos, receiver: receiverOf(request.handler) });
  }

  /** Forgets a filter; false when it was not subscribed. */
  remove(filter: string): boolean {
    return this.#filters.delete(filter);
  }

  /** A request sent (or to send at connect) with packet id `packet.messageId`. */
  track(packet: SubscribePacket | UnsubscribePacket, done: SubscribeDone | undefined): void {
    this.#requests.set(packet.messageId, { packet, done });
  }

  holdsId(id: number): boolean {
    return this.#requests.has(id);
  }

  /** The requests never acknowledged, to send again at connect with their ids. */
  pending(): IterableIterator<Request> {
    return this.#requests.values();
  }

  /** The request acknowledged by an UNSUBACK (or a SUBACK), no longer pending. */
  take(id: number): Request | undefined {
    const request = this.#requests.get(id);
    if (request) this.#requests.delete(id);
    return request;
  }

  /** After a connect that lost the session: every filter no pending SUBSCRIBE already carries. */
  lost(): Array<{ topic: string; qos: QoS }> {
    const pending = new Set<string>();
    for (const request of this.#requests.values()) {
      if (request.packet.cmd === "subscribe") for (const s of request.packet.subscriptions) pending.add(s.topic);
    }
    const out: Array<{ topic: string; qos: QoS }> = [];
    for (const [filter, subscription] of this.#filters) if (!pending.has(filter)) out.push({ topic: filter, qos: subscription.qos });
    return out;
  }

  /**
   * Each filter with its receiver, for delivery (Inbound matches the topic itself: a method that did
   * it here would put one more frame under every handler, 16 slots of a board's 384).
   */
  receivers(): IterableIterator<[string, { readonly receiver: MessageReceiver }]> {
    return this.#filters.entries();
  }

  /**
   * The SUBACK for a pending SUBSCRIBE: per filter, undefined where granted; a refused filter is
   * forgotten, so it is not sent again after every reconnect. Undefined for an unknown id.
   */
  acknowledged(packet: SubackPacket, version: number): { request: Request; results: Array<MqttError | undefined> } | undefined {
    const pending = this.#requests.get(packet.messageId);
    if (!pending || pending.packet.cmd !== "subscribe") return undefined;
    this.#requests.delete(packet.messageId);
    const results: Array<MqttError | undefined> = [];
    pending.packet.subscriptions.forEach((subscription, i) => {
      const code = packet.granted[i] ?? 0x80;
      if (code < 0x80) {
        results.push(undefined);
        return;
      }
      this.#filters.delete(subscription.topic);
      results.push(mqttError(ErrorCode.SUBSCRIBE_REFUSED, `subscription to "${subscription.topic}" refused: ${reasonSentence(code, version)}`, code));
    });
    return { request: pending, results };
  }
}
