// The incremental decoder: a resumable state machine over the fixed header, the remaining
// length and the body, fed chunks of any size. It checks the size limit before it allocates,
// reports malformed input once as a value, and then refuses input until reset(). A PUBLISH over
// the limit may instead be skipped: its bytes stream past unbuffered, and only its topic (the
// first TOPIC_KEPT bytes), QoS and packet id are kept, so the session can acknowledge it.
import type { Packet, ProtocolError, ProtocolVersion, QoS } from "./packet.js";
import { BodyParser, Reason } from "./parse.js";
import { BytePool } from "./pool.js";
import { PACKET_NAMES } from "./properties.js";
import { decodeText } from "../../utf8.js";

/** A PUBLISH over maxPacketSize that was skipped, not decoded. */
export interface SkippedPublish {
  /** The topic, or its first TOPIC_KEPT bytes' worth followed by "...". */
  topic: string;
  qos: QoS;
  /** For QoS 1 and 2. */
  messageId: number | undefined;
  retain: boolean;
  dup: boolean;
  /** The whole packet's size in bytes. */
  size: number;
}

/** Bytes of a skipped PUBLISH's topic that are kept for its report. */
export const TOPIC_KEPT = 128;

export interface DecoderOptions {
  /** 3, 4 (default) or 5; a server-side decoder learns it from the CONNECT it decodes. */
  protocolVersion?: ProtocolVersion;
  /** Largest whole packet accepted, header included (default: the protocol's 268435460). */
  maxPacketSize?: number;
  /**
   * Bytes per slab for payloads and partial bodies (default 8192, never above maxPacketSize;
   * 0: a separate allocation each). A payload you keep keeps its slab alive.
   */
  poolSize?: number;
  onPacket(packet: Packet): void;
  onError(error: ProtocolError): void;
  /** A PUBLISH over maxPacketSize was skipped (while skipOversized is set). */
  onSkipped?(publish: SkippedPublish): void;
}

const State = Object.freeze({ HEADER: 0, LENGTH: 1, BODY: 2, FAILED: 3, SKIP: 4 });

const MAX_PACKET_SIZE = 1 + 4 + 268435455;
/**
 * A body that does not arrive whole in one chunk is gathered in a buffer that grows with what
 * arrives (doubling, never past the packet's size): five bytes announcing a 256 MB PUBLISH
 * allocate this much, not 256 MB.
 */
const FIRST_PART = 4096;

export class Decoder {
  protocolVersion: ProtocolVersion;
  readonly maxPacketSize: number;
  /**
   * Skip a PUBLISH over maxPacketSize (reporting it through onSkipped) instead of failing. For an
   * MQTT 3.1.1 client, which cannot tell the broker its limit; in MQTT 5 such a packet is an error.
   */
  skipOversized = false;
  private readonly onPacket: (packet: Packet) => void;
  private readonly onError: (error: ProtocolError) => void;
  private readonly onSkipped: ((publish: SkippedPublish) => void) | undefined;
  private readonly parser: BodyParser;
  private readonly take: (size: number) => Uint8Array;
  private state: number = State.HEADER;
  private first = 0;
  private remaining = 0;
  private lengthBytes = 0;
  private body: Uint8Array | undefined = undefined;
  private filled = 0;
  // While skipping: the topic's length, its kept bytes, and the packet id as they stream past.
  private topicLength = 0;
  private topic: Uint8Array | undefined = undefined;
  private skippedId = 0;

  constructor(options: DecoderOptions) {
    this.protocolVersion = options.protocolVersion ?? 4;
    const max = options.maxPacketSize ?? MAX_PACKET_SIZE;
    this.maxPacketSize = max > 0 ? Math.min(max, MAX_PACKET_SIZE) : MAX_PACKET_SIZE;
    this.onPacket = options.onPacket;
    this.onError = options.onError;
    this.onSkipped = options.onSkipped;
    const poolSize = Math.min(options.poolSize ?? 8192, this.maxPacketSize);
    const allocate = (size: number) => this.allocate(size);
    const pool = poolSize > 0 ? new BytePool(poolSize, allocate) : undefined;
    this.take = pool === undefined ? allocate : (size) => pool.take(size);
    this.parser = new BodyParser(this.take);
  }

  /** Consumes `chunk`, calling onPacket for each whole packet; false once the input was refused. */
  feed(chunk: Uint8Array): boolean {
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      const state = this.state;
      if (state === State.HEADER) {
        const first = chunk[pos++];
        const problem = headerProblem(first, this.protocolVersion);
        if (problem !== undefined) return this.fail(Reason.MALFORMED, problem);
        this.first = first;
        this.remaining = 0;
        this.lengthBytes = 0;
        this.state = State.LENGTH;
        // Fast path: a one-byte length and the whole body in this chunk (most packets).
        if (pos + 1 <= n && chunk[pos] < 0x80 && pos + 1 + chunk[pos] <= n && chunk[pos] + 2 <= this.maxPacketSize) {
          const remaining = chunk[pos];
          this.remaining = remaining;
          this.lengthBytes = 1;
          pos += 1 + remaining;
          if (!this.emit(chunk, pos - remaining, pos, false)) return false;
        }
      } else if (state === State.LENGTH) {
        const byte = chunk[pos++];
        if (byte === 0 && this.lengthBytes > 0) {
          return this.fail(Reason.MALFORMED, "remaining length is not in its shortest form");
        }
        this.remaining += (byte & 0x7f) * 128 ** this.lengthBytes++;
        if (byte >= 0x80) {
          if (this.lengthBytes === 4) return this.fail(Reason.MALFORMED, "remaining length exceeds 4 bytes");
          continue;
        }
        const size = 1 + this.lengthBytes + this.remaining;
        if (size > this.maxPacketSize) {
          if (this.skipOversized && this.first >> 4 === 3) {
            this.startSkip();
            continue;
          }
          return this.fail(
            Reason.PACKET_TOO_LARGE,
            `packet of ${size} bytes exceeds the maximum packet size of ${this.maxPacketSize} bytes`,
          );
        }
        const remaining = this.remaining;
        if (n - pos >= remaining) {
          // The whole body is in this chunk: parse it in place, copy only what is handed out.
          pos += remaining;
          if (!this.emit(chunk, pos - remaining, pos, false)) return false;
        } else {
          const part = Math.max(FIRST_PART, n - pos);
          this.body = part >= remaining ? this.take(remaining) : this.allocate(part);
          this.filled = 0;
          this.state = State.BODY;
        }
      } else if (state === State.BODY) {
        let body = this.body as Uint8Array;
        const take = Math.min(n - pos, this.remaining - this.filled);
        if (this.filled + take > body.length) {
          const grown = this.allocate(Math.min(this.remaining, Math.max(this.filled + take, body.length * 2)));
          grown.set(body.subarray(0, this.filled));
          this.body = body = grown;
        }
        body.set(take === n && pos === 0 ? chunk : chunk.subarray(pos, pos + take), this.filled);
        this.filled += take;
        pos += take;
        if (this.filled === this.remaining) {
          this.body = undefined;
          if (!this.emit(body, 0, this.remaining, true)) return false;
        }
      } else if (state === State.SKIP) {
        pos = this.skip(chunk, pos);
        if (pos < 0) return false;
      } else {
        return false;
      }
    }
    return this.state !== State.FAILED;
  }

  /** Forgets any partial packet and a previous failure: the next byte starts a new packet. */
  reset(): void {
    this.state = State.HEADER;
    this.body = undefined;
    this.filled = 0;
    this.topic = undefined;
  }

  /** Every byte array (or pool slab) the decoder makes comes from here (tests count them). */
  protected allocate(size: number): Uint8Array {
    return new Uint8Array(size);
  }

  private emit(buf: Uint8Array, start: number, end: number, owned: boolean): boolean {
    this.state = State.HEADER;
    const packet = this.parser.parse(this.first, buf, start, end, owned, this.protocolVersion);
    if (packet === undefined) return this.fail(this.parser.code, this.parser.message);
    if (packet.cmd === "connect" && packet.protocolVersion !== undefined) {
      this.protocolVersion = packet.protocolVersion;
    }
    this.onPacket(packet);
    return true;
  }

  private startSkip(): void {
    this.state = State.SKIP;
    this.filled = 0;
    this.topicLength = 0;
    this.skippedId = 0;
    this.topic = undefined;
  }

  /** Consumes a skipped PUBLISH's bytes from `pos`; returns where it stopped, or -1 on failure. */
  private skip(chunk: Uint8Array, pos: number): number {
    const n = chunk.length;
    const remaining = this.remaining;
    const qos = (this.first >> 1) & 3;
    // The topic length, the topic and the packet id byte by byte; the rest in one step.
    while (pos < n && this.filled < remaining) {
      const at = this.filled;
      const topicEnd = 2 + this.topicLength;
      if (at < 2) {
        this.topicLength = (this.topicLength << 8) | chunk[pos];
        if (at === 1) this.topic = new Uint8Array(Math.min(this.topicLength, TOPIC_KEPT));
      } else if (at < topicEnd && at - 2 < (this.topic as Uint8Array).length) {
        (this.topic as Uint8Array)[at - 2] = chunk[pos];
      } else if (at < topicEnd) {
        const take = Math.min(n - pos, topicEnd - at);
        pos += take;
        this.filled += take;
        continue;
      } else if (qos > 0 && at < topicEnd + 2) {
        this.skippedId = (this.skippedId << 8) | chunk[pos];
      } else {
        const take = Math.min(n - pos, remaining - at);
        pos += take;
        this.filled += take;
        continue;
      }
      pos++;
      this.filled++;
    }
    if (this.filled < remaining) return pos;
    const header = 2 + this.topicLength + (qos > 0 ? 2 : 0);
    const topic = this.topic;
    this.topic = undefined;
    this.state = State.HEADER;
    if (topic === undefined || remaining < header) return this.skipFailed("PUBLISH is shorter than its topic and packet id");
    if (qos > 0 && this.skippedId === 0) return this.skipFailed("PUBLISH packet identifier is 0");
    const text = keptText(topic, this.topicLength > topic.length);
    if (text === undefined) return this.skipFailed("PUBLISH topic is not valid UTF-8");
    this.onSkipped?.({
      topic: text,
      qos: qos as QoS,
      messageId: qos > 0 ? this.skippedId : undefined,
      retain: (this.first & 1) === 1,
      dup: (this.first & 8) === 8,
      size: 1 + this.lengthBytes + remaining,
    });
    return pos;
  }

  private skipFailed(message: string): number {
    this.fail(Reason.MALFORMED, message);
    return -1;
  }

  private fail(reasonCode: number, message: string): false {
    this.state = State.FAILED;
    this.body = undefined;
    this.onError({ reasonCode, message });
    return false;
  }
}

/** A kept topic as text; a cut one loses the character the cut split, and ends with "...". */
function keptText(topic: Uint8Array, cut: boolean): string | undefined {
  let end = topic.length;
  if (cut) {
    let lead = end - 1;
    while (lead > 0 && (topic[lead] & 0xc0) === 0x80) lead--;
    const a = topic[lead];
    const need = a >= 0xf0 ? 4 : a >= 0xe0 ? 3 : a >= 0xc0 ? 2 : 1;
    if (lead + need > end) end = lead;
  }
  const text = decodeText(topic, 0, end, false);
  return text === undefined || !cut ? text : `${text}...`;
}

/** Why a first byte cannot start a packet (MQTT 5 2.1.3 flag rules), or undefined if it can. */
function headerProblem(first: number, version: ProtocolVersion): string | undefined {
  const type = first >> 4;
  const flags = first & 0x0f;
  switch (type) {
    case 0:
      return "packet type 0 is reserved";
    case 3:
      if ((flags & 0x06) === 0x06) return "PUBLISH has both QoS bits set";
      if ((flags & 0x0e) === 0x08) return "PUBLISH with QoS 0 has the DUP flag set";
      return undefined;
    case 6:
    case 8:
    case 10:
      return flags === 0x02 ? undefined : `${PACKET_NAMES[type]} must have header flags 0010`;
    case 15:
      if (version !== 5) return "AUTH packets exist only in MQTT 5";
      return flags === 0 ? undefined : "AUTH must have header flags 0000";
    default:
      return flags === 0 ? undefined : `${PACKET_NAMES[type]} must have header flags 0000`;
  }
}
