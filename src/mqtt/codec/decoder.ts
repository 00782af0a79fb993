// The incremental decoder: a resumable state machine over the fixed header, the remaining
// length and the body, fed chunks of any size. It checks the size limit before it allocates,
// reports malformed input once as a value, and then refuses input until reset().
import type { Packet, ProtocolError, ProtocolVersion } from "./packet.js";
import { BodyParser, Reason } from "./parse.js";
import { BytePool } from "./pool.js";
import { PACKET_NAMES } from "./properties.js";

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
}

const State = Object.freeze({ HEADER: 0, LENGTH: 1, BODY: 2, FAILED: 3 });

const MAX_PACKET_SIZE = 1 + 4 + 268435455;

export class Decoder {
  protocolVersion: ProtocolVersion;
  readonly maxPacketSize: number;
  private readonly onPacket: (packet: Packet) => void;
  private readonly onError: (error: ProtocolError) => void;
  private readonly parser: BodyParser;
  private readonly take: (size: number) => Uint8Array;
  private state: number = State.HEADER;
  private first = 0;
  private remaining = 0;
  private lengthBytes = 0;
  private body: Uint8Array | undefined = undefined;
  private filled = 0;

  constructor(options: DecoderOptions) {
    this.protocolVersion = options.protocolVersion ?? 4;
    const max = options.maxPacketSize ?? MAX_PACKET_SIZE;
    this.maxPacketSize = max > 0 ? Math.min(max, MAX_PACKET_SIZE) : MAX_PACKET_SIZE;
    this.onPacket = options.onPacket;
    this.onError = options.onError;
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
          this.body = this.take(remaining);
          this.filled = 0;
          this.state = State.BODY;
        }
      } else if (state === State.BODY) {
        const body = this.body as Uint8Array;
        const take = Math.min(n - pos, this.remaining - this.filled);
        body.set(take === n && pos === 0 ? chunk : chunk.subarray(pos, pos + take), this.filled);
        this.filled += take;
        pos += take;
        if (this.filled === this.remaining) {
          this.body = undefined;
          if (!this.emit(body, 0, this.remaining, true)) return false;
        }
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

  private fail(reasonCode: number, message: string): false {
    this.state = State.FAILED;
    this.body = undefined;
    this.onError({ reasonCode, message });
    return false;
  }
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
