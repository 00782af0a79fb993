// Test helpers: decode a byte stream with our Decoder, and compare packets with mqtt-packet's.
import { Decoder, type Packet, type ProtocolError, type ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { seeded } from "../../hosts/node/seeded.js";

export interface Decoded {
  packets: Packet[];
  errors: ProtocolError[];
}

/** Feeds `chunks` to one decoder and collects what it reports. */
export function decodeChunks(chunks: Uint8Array[], protocolVersion: ProtocolVersion = 4, maxPacketSize?: number): Decoded {
  const out: Decoded = { packets: [], errors: [] };
  const decoder = new Decoder({
    protocolVersion,
    maxPacketSize,
    onPacket: (p) => out.packets.push(p),
    onError: (e) => out.errors.push(e),
  });
  for (const chunk of chunks) decoder.feed(chunk);
  return out;
}

/** A deep copy with Buffers as plain Uint8Arrays and undefined fields dropped, for toEqual. */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = plain(v);
    }
    return out;
  }
  return value;
}

/** The same with Uint8Arrays as Buffers, the form mqtt-packet's generator accepts. */
export function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = withBuffers((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** A small seeded generator (mulberry32), so every run sees the same "random" packets. */
export const rng = seeded;
