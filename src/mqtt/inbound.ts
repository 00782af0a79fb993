// Messages the broker sends us: each PUBLISH delivered once to every subscription it matches and
// acknowledged as its QoS asks; QoS 2 remembered from PUBLISH to PUBREL within the receive maximum
// we announced (a duplicate is acknowledged, not delivered again); oversized ones the decoder
// skipped are reported instead.
import { encode, encodeUtf8 } from "./codec/index.js";
import type { ProtocolVersion, PublishPacket, QoS, SkippedPublish } from "./codec/index.js";
import { ErrorCode, mqttError } from "./errors.js";
import type { Message } from "./link.js";
import type { Settings } from "./options.js";
import type { Subscriptions } from "./subscriptions.js";
import { topicMatches } from "./topic.js";
import type { Writer } from "./writer.js";

export class Inbound {
  received = 0;
  /** QoS 2 PUBLISH duplicates the broker resent and we did not deliver again. */
  duplicates = 0;
  /** Messages over maxPacketSize, skipped unread. */
  skipped = 0;
  readonly #settings: Settings;
  readonly #subscriptions: Subscriptions;
  readonly #writer: Writer;
  /** QoS 2 packet ids received and not yet released. */
  readonly #awaiting = new Set<number>();

  constructor(settings: Settings, subscriptions: Subscriptions, writer: Writer) {
    this.#settings = settings;
    this.#subscriptions = subscriptions;
    this.#writer = writer;
  }

  /** Delivers and acknowledges; false when it is one past the receive maximum (the caller closes the link). */
  publish(packet: PublishPacket, version: ProtocolVersion): boolean {
    const id = packet.messageId ?? 0;
    const fresh = this.#arrived(packet.qos, id);
    if (fresh === undefined) return false;
    if (fresh) {
      // Delivered here, to every matching filter, rather than in a method of its own: a frame less
      // under every handler, which the board's XS stack of 384 slots needs.
      const message: Message = {
        topic: packet.topic,
        payload: typeof packet.payload === "string" ? encodeUtf8(packet.payload) : packet.payload,
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup,
      };
      if (packet.properties) message.properties = packet.properties;
      try {
        for (const [filter, subscription] of this.#subscriptions.receivers()) {
          if (topicMatches(filter, message.topic)) subscription.receiver.onMessage(message);
        }
        this.#settings.onMessage?.(message);
      } catch (error) {
        this.#settings.onError?.(mqttError(ErrorCode.HANDLER, `a message handler for "${message.topic}" threw: ${(error as Error).message}`));
      }
    }
    this.#acknowledge(packet.qos, id, version);
    return true;
  }

  /** A PUBLISH over maxPacketSize the decoder skipped: acknowledged, reported, never delivered. */
  skippedPublish(skipped: SkippedPublish, version: ProtocolVersion, maxPacketSize: number): boolean {
    const id = skipped.messageId ?? 0;
    const fresh = this.#arrived(skipped.qos, id);
    if (fresh === undefined) return false;
    if (fresh) {
      this.skipped++;
      const { onSkipped, onError } = this.#settings;
      try {
        if (onSkipped) onSkipped(skipped);
        else onError?.(mqttError(ErrorCode.TOO_LARGE, `skipped a message of ${skipped.size} bytes on "${skipped.topic}": this client takes at most ${maxPacketSize}`));
      } catch (thrown) {
        onError?.(mqttError(ErrorCode.CALLBACK, `onSkipped threw: ${(thrown as Error).message}`));
      }
    }
    this.#acknowledge(skipped.qos, id, version);
    return true;
  }

  /** PUBREL: the id is free again; PUBCOMP in answer, also for an id we do not know. */
  release(id: number, version: ProtocolVersion): void {
    this.#awaiting.delete(id);
    this.#writer.write(encode({ cmd: "pubcomp", messageId: id }, version));
  }

  /** A connect without the session: the broker will not release what it sent before. */
  forget(): void {
    this.#awaiting.clear();
  }

  /** true: deliver; false: a QoS 2 duplicate; undefined: past the receive maximum [MQTT-3.3.4-9]. */
  #arrived(qos: QoS, id: number): boolean | undefined {
    this.received++;
    if (qos !== 2) return true;
    const awaiting = this.#awaiting;
    if (awaiting.has(id)) {
      this.duplicates++;
      return false;
    }
    if (awaiting.size >= this.#settings.receiveMaximum) return undefined;
    awaiting.add(id);
    return true;
  }

  #acknowledge(qos: QoS, id: number, version: ProtocolVersion): void {
    if (qos !== 0) this.#writer.write(encode({ cmd: qos === 1 ? "puback" : "pubrec", messageId: id }, version));
  }


}
