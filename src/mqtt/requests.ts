// SUBSCRIBE and UNSUBSCRIBE on the wire: filters checked, a fresh packet id each, the broker's
// Maximum Packet Size honoured [MQTT-3.2.2-15], sent now when connected or at the next connect,
// and each request's results to its done callback (or its failures to onError). Subscriptions
// keeps the filters and the requests awaiting their acknowledgement; this room sends them.
import { encode } from "./codec/index.js";
import type { SubscribePacket, UnsubscribePacket } from "./codec/index.js";
import { ErrorCode, mqttError } from "./errors.js";
import type { PacketIds } from "./ids.js";
import type { MqttError } from "./link.js";
import type { Settings } from "./options.js";
import type { Outgoing } from "./outgoing.js";
import type { Request, SubscribeDone, SubscribeProperties, SubscriptionRequest, Subscriptions, UnsubscribeProperties } from "./subscriptions.js";
import { filterProblem } from "./topic.js";
import type { Writer } from "./writer.js";

type Version = 3 | 4 | 5;

export class Requests {
  readonly #settings: Settings;
  readonly #subscriptions: Subscriptions;
  readonly #ids: PacketIds;
  readonly #outgoing: Outgoing;
  readonly #writer: Writer;

  constructor(settings: Settings, subscriptions: Subscriptions, ids: PacketIds, outgoing: Outgoing, writer: Writer) {
    this.#settings = settings;
    this.#subscriptions = subscriptions;
    this.#ids = ids;
    this.#outgoing = outgoing;
    this.#writer = writer;
  }

  subscribe(requests: SubscriptionRequest[], done: SubscribeDone | undefined, properties: SubscribeProperties | undefined, version: Version, connected: boolean): MqttError | undefined {
    if (requests.length === 0) return mqttError(ErrorCode.INVALID_FILTER, "cannot subscribe: no filter given");
    for (const request of requests) {
      const problem = filterProblem(request.filter);
      if (problem) return mqttError(ErrorCode.INVALID_FILTER, `cannot subscribe: ${problem}`);
    }
    const packet = this.#subscriptions.subscribe(requests, properties);
    const refused = this.#request(packet, done, version, connected);
    if (refused) this.#subscriptions.forget(packet);
    return refused;
  }

  unsubscribe(list: readonly string[], done: SubscribeDone | undefined, properties: UnsubscribeProperties | undefined, version: Version, connected: boolean): MqttError | undefined {
    if (list.length === 0) return mqttError(ErrorCode.INVALID_FILTER, "cannot unsubscribe: no filter given");
    for (const filter of list) {
      const problem = filterProblem(filter);
      if (problem) return mqttError(ErrorCode.INVALID_FILTER, `cannot unsubscribe: ${problem}`);
    }
    return this.#request(this.#subscriptions.unsubscribe(list, properties), done, version, connected);
  }

  /** A request's results to its done callback, or its failures to onError when it has none. */
  report(request: Request, results: Array<MqttError | undefined>, codes: readonly number[]): void {
    const done = request.done;
    if (!done) {
      for (const result of results) if (result) this.#settings.onError?.(result);
      return;
    }
    // Application code: a throw is reported, not left to break a packet half handled.
    try {
      done(results, codes);
    } catch (thrown) {
      this.#settings.onError?.(mqttError(ErrorCode.CALLBACK, `a ${request.packet.cmd} callback threw: ${(thrown as Error).message}`));
    }
  }

  /**
   * At connect: pending requests again (those that no longer fit the broker's limit are refused and
   * reported, never resent on every reconnect), then, when the session was lost, every subscription
   * in SUBSCRIBEs that fit; a filter too large alone is dropped with an error.
   */
  resend(sessionPresent: boolean, version: Version): void {
    const subscriptions = this.#subscriptions;
    for (const request of [...subscriptions.pending()]) {
      const bytes = encode(request.packet, version);
      const tooLarge = this.#tooLarge(request.packet, bytes.length);
      if (!tooLarge) {
        this.#writer.write(bytes);
        continue;
      }
      subscriptions.take(request.packet.messageId);
      if (request.packet.cmd === "subscribe") subscriptions.forget(request.packet);
      const count = request.packet.cmd === "subscribe" ? request.packet.subscriptions.length : request.packet.unsubscriptions.length;
      this.report(request, new Array<MqttError>(count).fill(tooLarge), []);
    }
    if (sessionPresent) return;
    const most = this.#outgoing.maxPacket;
    const { packets, dropped } = subscriptions.resubscribe((packet) => most === 0 || encode({ ...packet, messageId: 1 }, version).length <= most);
    for (const packet of packets) this.#request(packet, undefined, version, true);
    for (const packet of dropped) {
      this.#settings.onError?.(this.#tooLarge(packet, encode({ ...packet, messageId: 1 }, version).length) as MqttError);
    }
  }

  /** Queues a request with a fresh id; written now when connected, else at connect. */
  #request(packet: SubscribePacket | UnsubscribePacket, done: SubscribeDone | undefined, version: Version, connected: boolean): MqttError | undefined {
    const id = this.#ids.next(this.#subscriptions, this.#outgoing.outbox);
    if (id === 0) return mqttError(ErrorCode.NO_PACKET_ID, "every packet id is in use; try again when some are acknowledged");
    packet.messageId = id;
    let bytes: Uint8Array;
    try {
      bytes = encode(packet, version);
    } catch (error) {
      return mqttError(ErrorCode.INVALID_MESSAGE, `cannot ${packet.cmd}: ${(error as Error).message}`);
    }
    const tooLarge = this.#tooLarge(packet, bytes.length);
    if (tooLarge) return tooLarge;
    this.#subscriptions.track(packet, done);
    if (connected) this.#writer.write(bytes);
    return undefined;
  }

  /** An error when a request is larger than the broker takes; undefined when it fits. */
  #tooLarge(packet: SubscribePacket | UnsubscribePacket, size: number): MqttError | undefined {
    const most = this.#outgoing.maxPacket;
    if (most === 0 || size <= most) return undefined;
    const filters = packet.cmd === "subscribe" ? packet.subscriptions.map((s) => s.topic) : packet.unsubscriptions;
    const what = filters.length === 1 ? `"${filters[0]}"` : `${filters.length} filters`;
    return mqttError(ErrorCode.TOO_LARGE, `the ${packet.cmd.toUpperCase()} for ${what} is ${size} bytes; the broker takes at most ${most}`);
  }
}
