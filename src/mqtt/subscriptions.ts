// What the client is subscribed to: each filter with its QoS, MQTT 5 options and handler, the
// SUBSCRIBE and UNSUBSCRIBE requests still awaiting their acknowledgement, and what a lost session
// must get back.
import type { QoS, SubackPacket, SubscribePacket, Subscription, UnsubackPacket, UnsubscribePacket } from "./codec/index.js";
import { ErrorCode, mqttError, reasonSentence } from "./errors.js";
import { receiverOf, type MessageHandler, type MessageReceiver, type MqttError } from "./link.js";

export interface SubscriptionRequest {
  filter: string;
  qos: QoS;
  handler: MessageHandler;
  /** MQTT 5: do not send us what we publish ourselves. */
  noLocal?: boolean;
  /** MQTT 5: keep the retain flag of forwarded messages as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained messages at subscribe (default), 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

/** MQTT 5 properties of a SUBSCRIBE. */
export type SubscribeProperties = NonNullable<SubscribePacket["properties"]>;
/** MQTT 5 properties of an UNSUBSCRIBE. */
export type UnsubscribeProperties = NonNullable<UnsubscribePacket["properties"]>;

/**
 * Per-filter results of a SUBSCRIBE or UNSUBSCRIBE: undefined where the broker granted it, an error
 * where it refused; then the reason codes as they came (granted QoS for a SUBACK; 0 for each filter
 * of a 3.1.1 UNSUBACK, which carries none).
 */
export type SubscribeDone = (results: Array<MqttError | undefined>, reasonCodes: readonly number[]) => void;
export type UnsubscribeDone = SubscribeDone;

interface Entry {
  readonly wire: Subscription;
  readonly receiver: MessageReceiver;
  /** The SUBSCRIBE's properties (a subscription identifier), shared by the filters it carried. */
  readonly properties: SubscribeProperties | undefined;
}

export interface Request {
  packet: SubscribePacket | UnsubscribePacket;
  done: SubscribeDone | undefined;
}

export class Subscriptions {
  readonly #filters = new Map<string, Entry>();
  readonly #requests = new Map<number, Request>();

  /** A SUBSCRIBE for `requests` (id 0 until one is given), remembering each filter and its handler. */
  subscribe(requests: readonly SubscriptionRequest[], properties: SubscribeProperties | undefined): SubscribePacket {
    const subscriptions: Subscription[] = [];
    for (const request of requests) {
      const wire: Subscription = { topic: request.filter, qos: request.qos };
      if (request.noLocal) wire.nl = true;
      if (request.retainAsPublished) wire.rap = true;
      if (request.retainHandling) wire.rh = request.retainHandling;
      subscriptions.push(wire);
      this.#filters.set(request.filter, { wire, receiver: receiverOf(request.handler), properties });
    }
    const packet: SubscribePacket = { cmd: "subscribe", messageId: 0, subscriptions };
    if (properties) packet.properties = properties;
    return packet;
  }

  /** Forgets the filters of a SUBSCRIBE that could not be sent. */
  forget(packet: SubscribePacket): void {
    for (const subscription of packet.subscriptions) this.#filters.delete(subscription.topic);
  }

  /** An UNSUBSCRIBE for `filters`, sent whether or not this process subscribed them (a kept session may hold them). */
  unsubscribe(filters: readonly string[], properties: UnsubscribeProperties | undefined): UnsubscribePacket {
    for (const filter of filters) this.#filters.delete(filter);
    const packet: UnsubscribePacket = { cmd: "unsubscribe", messageId: 0, unsubscriptions: [...filters] };
    if (properties) packet.properties = properties;
    return packet;
  }

  /** A request sent, or to send at connect, with packet id `packet.messageId`. */
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

  /** Stops tracking a request (acknowledged, or refused before it could be sent). */
  take(id: number): Request | undefined {
    const request = this.#requests.get(id);
    if (request) this.#requests.delete(id);
    return request;
  }

  /**
   * After a connect that lost the session: every filter that no pending SUBSCRIBE carries, grouped
   * by the properties they were subscribed with (a subscription identifier must come back too).
   */
  #lost(): Map<SubscribeProperties | undefined, Subscription[]> {
    const pending = new Set<string>();
    for (const request of this.#requests.values()) {
      if (request.packet.cmd === "subscribe") for (const s of request.packet.subscriptions) pending.add(s.topic);
    }
    const groups = new Map<SubscribeProperties | undefined, Subscription[]>();
    for (const [filter, entry] of this.#filters) {
      if (pending.has(filter)) continue;
      const group = groups.get(entry.properties);
      if (group) group.push(entry.wire);
      else groups.set(entry.properties, [entry.wire]);
    }
    return groups;
  }

  /**
   * The SUBSCRIBEs (id 0) that give a lost session back every filter no pending request carries,
   * as few as `fits` allows; a filter that does not fit even alone is forgotten and returned in
   * `dropped`, so that it is not tried again on every reconnect.
   */
  resubscribe(fits: (packet: SubscribePacket) => boolean): { packets: SubscribePacket[]; dropped: SubscribePacket[] } {
    const packets: SubscribePacket[] = [];
    const dropped: SubscribePacket[] = [];
    for (const [properties, lost] of this.#lost()) {
      const packet = (subscriptions: Subscription[]): SubscribePacket =>
        properties ? { cmd: "subscribe", messageId: 0, subscriptions, properties } : { cmd: "subscribe", messageId: 0, subscriptions };
      let batch: Subscription[] = [];
      for (const subscription of lost) {
        if (fits(packet([...batch, subscription]))) {
          batch.push(subscription);
          continue;
        }
        if (batch.length > 0) packets.push(packet(batch));
        batch = [];
        const alone = packet([subscription]);
        if (fits(alone)) batch.push(subscription);
        else {
          this.forget(alone);
          dropped.push(alone);
        }
      }
      if (batch.length > 0) packets.push(packet(batch));
    }
    return { packets, dropped };
  }

  /**
   * Each filter with its receiver, for delivery (Inbound matches the topic itself: a method that did
   * it here would put one more frame under every handler, 16 slots of a board's 384).
   */
  receivers(): IterableIterator<[string, { readonly receiver: MessageReceiver }]> {
    return this.#filters.entries();
  }

  /**
   * The SUBACK or UNSUBACK of a pending request: per filter, undefined where it worked; a refused
   * subscription is forgotten, so it is not sent again after every reconnect. Undefined for an id
   * no request of that kind holds.
   */
  acknowledged(packet: SubackPacket | UnsubackPacket, version: number): { request: Request; results: Array<MqttError | undefined>; codes: number[] } | undefined {
    const pending = this.#requests.get(packet.messageId);
    const subscribe = packet.cmd === "suback";
    if (!pending || (pending.packet.cmd === "subscribe") !== subscribe) return undefined;
    this.#requests.delete(packet.messageId);
    const filters = pending.packet.cmd === "subscribe" ? pending.packet.subscriptions.map((s) => s.topic) : pending.packet.unsubscriptions;
    const results: Array<MqttError | undefined> = [];
    const codes: number[] = [];
    filters.forEach((filter, i) => {
      // A 3.1.1 UNSUBACK carries no codes: each filter is simply no longer subscribed.
      const code = packet.granted?.[i] ?? (subscribe ? 0x80 : 0);
      codes.push(code);
      if (code < 0x80) {
        results.push(undefined);
        return;
      }
      if (subscribe) this.#filters.delete(filter);
      const refused = subscribe ? ErrorCode.SUBSCRIBE_REFUSED : ErrorCode.UNSUBSCRIBE_REFUSED;
      const what = subscribe ? "subscription to" : "unsubscribing from";
      results.push(mqttError(refused, `${what} "${filter}" refused: ${reasonSentence(code, version)}`, code));
    });
    return { request: pending, results, codes };
  }
}
