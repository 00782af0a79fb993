// Messages we send: each publish checked against the broker's limits and encoded once, then (by
// the client) written at once, QoS 0 with nothing ahead of it, or queued in the outbox and drained
// in order within the in-flight window; the broker's PUBACK, PUBREC and PUBCOMP; each publisher's
// done callback; and every message lost, counted by cause.
import type { Host } from "../host.js";
import { Decoder, encode, encodeUtf8 } from "./codec/index.js";
import type { AckPacket, ConnackPacket, ProtocolVersion, PublishPacket, QoS } from "./codec/index.js";
import { about, ErrorCode, mqttError, reasonSentence } from "./errors.js";
import type { PacketIds } from "./ids.js";
import type { MqttError, PublishDone, PublishOptions } from "./link.js";
import type { Settings } from "./options.js";
import { Discard, EntryState, FULL, Outbox, TOO_LARGE } from "./outbox.js";
import type { Subscriptions } from "./subscriptions.js";
import { topicProblem } from "./topic.js";
import type { Writer } from "./writer.js";

export class Outgoing {
  readonly outbox: Outbox;
  /** The link is connected: publishes may go out (the client's state machine sets it). */
  open = false;
  /** onConnect is running: what it publishes is urgent, and nothing older leaves until it returns. */
  announcing = false;
  /** The protocol version of the link. */
  version: ProtocolVersion;

  published = 0;
  dropsFull = 0;
  dropsTooLarge = 0;
  dropsRefused = 0;
  dropsInvalid = 0;

  // What the broker told us in CONNACK (MQTT 5), with 3.1.1 defaults.
  #window: number;
  #maxQos = 2;
  /** The broker's Maximum Packet Size; 0: none announced. */
  maxPacket = 0;
  #retainAvailable = true;
  #topicAliasMaximum = 0;

  readonly #settings: Settings;
  readonly #host: Pick<Host, "log">;
  readonly #writer: Writer;
  readonly #ids: PacketIds;
  readonly #subscriptions: Subscriptions;
  readonly #dones = new Map<number, PublishDone>();
  #draining = false;

  constructor(settings: Settings, host: Pick<Host, "store" | "log">, writer: Writer, ids: PacketIds, subscriptions: Subscriptions) {
    this.#settings = settings;
    this.#host = host;
    this.#writer = writer;
    this.#ids = ids;
    this.#subscriptions = subscriptions;
    this.version = settings.protocolVersion;
    this.#window = settings.maxInflight ?? 20;
    this.outbox = new Outbox({
      budget: settings.outboxBytes,
      store: settings.persist ? host.store : undefined,
      prefix: settings.persistPrefix,
      onDiscard: (seq, why) =>
        this.#finish(
          seq,
          why === Discard.DROPPED
            ? mqttError(ErrorCode.DROPPED, "outbox full: this QoS 0 message was dropped for newer ones")
            : mqttError(ErrorCode.COALESCED, "replaced in the outbox by a newer message of the same topic"),
        ),
    });
  }

  /** Checks a message against the broker's limits and encodes it: its bytes, or why it is refused (counted). */
  prepare(topic: string, payload: string | Uint8Array, options: PublishOptions | undefined): Uint8Array | MqttError {
    const problem = topicProblem(topic);
    if (problem) {
      this.dropsInvalid++;
      return about(topic, mqttError(ErrorCode.INVALID_TOPIC, `cannot publish: ${problem}`));
    }
    const retain = options?.retain === true;
    const alias = options?.properties?.topicAlias;
    const refusal = (retain && !this.#retainAvailable) || alias !== undefined ? this.#unsupported(retain, alias) : undefined;
    if (refusal) {
      this.dropsRefused++;
      return about(topic, mqttError(ErrorCode.NOT_SUPPORTED, `cannot publish to "${topic}": ${refusal}`));
    }
    // Above the broker's Maximum QoS a message goes at the highest it takes; `done` says which.
    const wanted = options?.qos ?? 0;
    const qos = (wanted > this.#maxQos ? this.#maxQos : wanted) as QoS;
    const version = this.version;
    let bytes: Uint8Array;
    try {
      bytes = encode(
        {
          cmd: "publish",
          topic,
          payload: typeof payload === "string" ? encodeUtf8(payload) : payload,
          qos,
          dup: false,
          retain,
          // A placeholder: the real id is written in when the packet goes out.
          messageId: qos > 0 ? 1 : undefined,
          properties: version === 5 ? options?.properties : undefined,
        },
        version,
      );
    } catch (error) {
      this.dropsInvalid++;
      return about(topic, mqttError(ErrorCode.INVALID_MESSAGE, `cannot publish to "${topic}": ${(error as Error).message}`));
    }
    if (this.maxPacket > 0 && bytes.length > this.maxPacket) {
      this.dropsTooLarge++;
      return about(topic, mqttError(ErrorCode.TOO_LARGE, `the message is ${bytes.length} bytes; the broker takes at most ${this.maxPacket}`));
    }
    return bytes;
  }

  /** Queues prepared bytes in the outbox; the caller drains. An error when the outbox has no room. */
  queue(bytes: Uint8Array, topic: string, coalesce: boolean, done: PublishDone | undefined): MqttError | undefined {
    const outbox = this.outbox;
    const qos = (bytes[0] >> 1) & 3;
    const seq = outbox.add(bytes, qos, coalesce, this.version, this.announcing);
    if (seq === TOO_LARGE) {
      this.dropsTooLarge++;
      return about(topic, mqttError(ErrorCode.TOO_LARGE, `the message is ${bytes.length} bytes; the outbox holds ${outbox.budget} bytes in all`));
    }
    if (seq === FULL) {
      this.dropsFull++;
      return about(topic, mqttError(ErrorCode.OUTBOX_FULL, `outbox full (${outbox.bytesUsed} of ${outbox.budget} bytes): QoS ${qos} message to "${topic}" refused`));
    }
    this.published++;
    if (done) this.#dones.set(seq, done);
    return undefined;
  }

  /**
   * A CONNACK accepted us: what the broker says it takes (MQTT 5), or 3.1.1's defaults. Returns
   * why the broker cannot be talked to, or undefined.
   */
  limits(packet: ConnackPacket, v4: boolean): string | undefined {
    const properties = packet.properties;
    // A 3.1.1 broker cannot announce its limit; Mosquitto's is 20 and it silently drops QoS 2
    // beyond it, so 20 (mosquitto_pub's own default) unless told otherwise.
    const ours = this.#settings.maxInflight ?? (v4 ? 20 : 65_535);
    this.#window = Math.min(ours, properties?.receiveMaximum ?? 65_535);
    this.#maxQos = properties?.maximumQoS ?? 2;
    this.maxPacket = properties?.maximumPacketSize ?? 0;
    this.#retainAvailable = properties?.retainAvailable !== false;
    this.#topicAliasMaximum = properties?.topicAliasMaximum ?? 0;
    const url = this.#settings.url;
    if (this.#maxQos < 2) this.#host.log(`mqtt: ${url} takes QoS ${this.#maxQos} at most: messages asking for more go at ${this.#maxQos}`);
    if (!this.#retainAvailable) this.#host.log(`mqtt: ${url} keeps no retained messages: retained publishes are refused`);
    // Every acknowledgement is 4 bytes and cannot shrink: such a broker cannot be talked to.
    if (this.maxPacket > 0 && this.maxPacket < 4) return `the broker's Maximum Packet Size of ${this.maxPacket} bytes cannot carry a 4-byte acknowledgement`;
    return undefined;
  }

  /** After a reconnect: what was sent goes again (DUP); releases go at once. */
  requeue(): void {
    this.outbox.requeue((id) => this.#writer.write(encode({ cmd: "pubrel", messageId: id }, this.version)));
  }

  /** PUBACK, PUBREC or PUBCOMP for one of ours. */
  acknowledged(packet: AckPacket): void {
    const outbox = this.outbox;
    const at = outbox.findId(packet.messageId);
    const state = at < 0 ? EntryState.FREE : outbox.state(at);
    const code = packet.reasonCode ?? 0;
    if (packet.cmd === "pubrec") {
      if (state === EntryState.SENT && outbox.qos(at) === 2) {
        if (code >= 0x80) {
          this.dropsRefused++;
          this.#complete(at, mqttError(ErrorCode.PUBLISH_REFUSED, `broker refused the message: ${reasonSentence(code, 5)}`, code));
          return;
        }
        outbox.markReleased(at);
      }
      // Also for an unknown id, the broker waiting for PUBREL to free it; never for a PUBREC that
      // refused the message, which ends the exchange [MQTT-4.3.3-4].
      if (code < 0x80) this.#writer.write(encode({ cmd: "pubrel", messageId: packet.messageId }, this.version));
      return;
    }
    const expected = packet.cmd === "puback" ? EntryState.SENT : EntryState.RELEASED;
    if (state !== expected || (packet.cmd === "puback") !== (outbox.qos(at) === 1)) return;
    // A PUBCOMP's only failure, 0x92 (id not found), means the broker already let the message go
    // (its PUBREC accepted it) and forgot the id: the release is complete either way.
    const refused = packet.cmd === "puback" && code >= 0x80;
    if (refused) this.dropsRefused++;
    this.#complete(
      at,
      refused ? mqttError(ErrorCode.PUBLISH_REFUSED, `broker refused the message: ${reasonSentence(code, 5)}`, code) : undefined,
      packet.cmd === "puback" ? 1 : 2,
    );
  }

  /** Sends queued publishes in order while the link takes them and the in-flight window allows. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    const outbox = this.outbox;
    const writer = this.#writer;
    try {
      while (this.open && writer.writable) {
        const at = outbox.nextQueued();
        if (at < 0 || (this.announcing && !outbox.urgent(at))) break;
        let qos = outbox.qos(at);
        if (qos > 0 && outbox.inflight >= this.#window) break;
        let id = 0;
        if (qos > 0) {
          id = outbox.id(at) || this.#ids.next(this.#subscriptions, outbox);
          if (id === 0) break;
        }
        // Queued before the broker said its limits: QoS 2 goes at 1 in place; to a QoS 0 broker it is re-encoded below.
        if (qos === 2 && this.#maxQos === 1) {
          outbox.downgrade(at);
          qos = 1;
        }
        const retained = outbox.retained(at);
        let bytes = outbox.markSent(at, id);
        if (retained && !this.#retainAvailable) {
          this.dropsRefused++;
          this.#complete(at, mqttError(ErrorCode.NOT_SUPPORTED, "the broker keeps no retained messages (Retain Available is 0)"));
          continue;
        }
        if (outbox.version(at) !== this.version || qos > this.#maxQos) {
          bytes = this.#transcode(bytes, outbox.version(at));
          if (qos > this.#maxQos) qos = 0;
        }
        if (this.maxPacket > 0 && bytes.length > this.maxPacket) {
          const size = bytes.length;
          this.dropsTooLarge++;
          this.#complete(at, mqttError(ErrorCode.TOO_LARGE, `the message is ${size} bytes; the broker takes at most ${this.maxPacket}`));
          continue;
        }
        writer.write(bytes, false);
        if (qos === 0) this.#complete(at, undefined, 0);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** drain(), with what it writes gathered into one transport write. */
  drainCorked(): void {
    this.#writer.cork();
    try {
      this.drain();
    } finally {
      this.#writer.uncork();
    }
  }

  /** Why the broker's announced limits refuse a message (MQTT-3.2.2-14, MQTT-3.3.2-9), or undefined. */
  #unsupported(retain: boolean, topicAlias: number | undefined): string | undefined {
    if (retain && !this.#retainAvailable) return "the broker keeps no retained messages (Retain Available is 0)";
    if (topicAlias !== undefined && topicAlias > this.#topicAliasMaximum)
      return `topic alias ${topicAlias} is above the broker's Topic Alias Maximum of ${this.#topicAliasMaximum}`;
    return undefined;
  }

  /** Re-encodes a queued packet for the link's version and QoS limit (after a fallback or a new broker). */
  #transcode(bytes: Uint8Array, from: number): Uint8Array {
    let packet: PublishPacket | undefined;
    const decoder = new Decoder({
      protocolVersion: from as ProtocolVersion,
      maxPacketSize: bytes.length,
      onPacket: (decoded) => {
        if (decoded.cmd === "publish") packet = decoded;
      },
      onError: () => undefined,
    });
    decoder.feed(bytes);
    if (!packet) return bytes.slice();
    if (this.version !== 5) delete packet.properties;
    if (packet.qos > this.#maxQos) {
      packet.qos = this.#maxQos as QoS;
      if (packet.qos === 0) delete packet.messageId;
    }
    return encode(packet, this.version);
  }

  /** Removes a finished entry and reports to its publisher: an error also says which topic it was about. */
  #complete(at: number, error: MqttError | undefined, qos?: QoS): void {
    if (error) about(this.outbox.topic(at), error);
    this.#finish(this.outbox.remove(at), error, qos);
    if (!this.#draining) this.drain();
  }

  /**
   * Reports the end of a message to its done callback. A refusal (by the broker, or here for its
   * limits) with no callback to hear it goes to onError: a refused publish is never silent.
   */
  #finish(seq: number, error: MqttError | undefined, qos?: QoS): void {
    const done = this.#dones.get(seq);
    if (!done) {
      if (error && error.code !== ErrorCode.DROPPED && error.code !== ErrorCode.COALESCED) this.#settings.onError?.(error);
      return;
    }
    this.#dones.delete(seq);
    // Inline rather than a guard closure: this runs once per message.
    try {
      done(error, error ? undefined : qos);
    } catch (thrown) {
      this.#settings.onError?.(mqttError(ErrorCode.CALLBACK, `a publish callback threw: ${(thrown as Error).message}`));
    }
  }
}
