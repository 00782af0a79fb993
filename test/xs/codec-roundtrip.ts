// Encodes and decodes seeded packets with our codec and describes every step as text, one JSON
// line per packet. Run on XS (codec.xs.ts) and on Node (codec.test.ts), the texts must be equal.
import { Decoder, encode, type Packet, type ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { seeded } from "../../hosts/node/seeded.js";
import { generatePackets } from "./packets.js";

const HEX = "0123456789abcdef";

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte >> 4] + HEX[byte & 15];
  return out;
}

// Uint8Array has no JSON form of its own; hex keeps the comparison exact.
const bytesAsHex = (_key: string, value: unknown): unknown => (value instanceof Uint8Array ? `hex:${hex(value)}` : value);

function decodeAll(bytes: Uint8Array, version: ProtocolVersion, cut: number): { decoded: Packet[]; errors: unknown[] } {
  const decoded: Packet[] = [];
  const errors: unknown[] = [];
  const decoder = new Decoder({
    protocolVersion: version,
    maxPacketSize: 1 << 20,
    onPacket: (packet) => decoded.push(packet),
    onError: (error) => errors.push(error),
  });
  // Fed in two pieces: the resumable path runs on both engines.
  decoder.feed(bytes.subarray(0, cut));
  decoder.feed(bytes.subarray(cut));
  return { decoded, errors };
}

/** Decodes each vector's bytes (cut in the middle) and encodes the decoded packet again. */
export function vectorTrip(vectors: ReadonlyArray<{ hex: string; version: ProtocolVersion }>): string {
  return vectors
    .map(({ hex: text, version }) => {
      const clean = text.replace(/\s+/g, "");
      const bytes = new Uint8Array(clean.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
      const { decoded, errors } = decodeAll(bytes, version, bytes.length >> 1);
      let again: Uint8Array | string;
      try {
        again = decoded.length === 1 ? encode(decoded[0], version) : "no single packet";
      } catch (error) {
        again = String(error);
      }
      return JSON.stringify({ decoded, errors, again }, bytesAsHex);
    })
    .join("\n");
}

export function roundTrip(seed: number, count: number): string {
  const split = seeded(seed ^ 0x5bd1e995);
  const lines: string[] = [];
  for (const { packet, version } of generatePackets(seed, count)) {
    let bytes: Uint8Array;
    try {
      bytes = encode(packet, version);
    } catch (error) {
      lines.push(JSON.stringify({ cmd: packet.cmd, threw: String(error) }));
      continue;
    }
    const { decoded, errors } = decodeAll(bytes, version, Math.floor(split() * (bytes.length + 1)));
    lines.push(JSON.stringify({ bytes, decoded, errors }, bytesAsHex));
  }
  return lines.join("\n");
}
