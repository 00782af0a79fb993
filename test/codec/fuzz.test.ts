// Seeded fuzz: random and mutated frames, cut into random chunks. The decoder must never throw,
// never allocate past maxPacketSize, and every input must end in packets or one reported error.
import { isDeepStrictEqual } from "node:util";
import { Decoder, encode, type Packet, type ProtocolError, type ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { RandomPackets } from "./random-packets.js";
import { plain, rng } from "./support.js";

const SEED = Number(process.env.CODEC_SEED ?? 4242);
const FRAMES = 20000;
const MAX = 512;
const REASONS = [0x81, 0x82, 0x84, 0x90, 0x95];
const PADDING = MAX + 8;
const ENCODER_ONLY_RULES = /empty clientId|non-empty clientId/;

/** Counts every byte array (or pool slab) the decoder makes: per packet, largest, in total. */
class Counting extends Decoder {
  sinceLastPacket = 0;
  largestPerPacket = 0;
  largest = 0;
  total = 0;
  protected override allocate(size: number): Uint8Array {
    this.sinceLastPacket += size;
    this.largestPerPacket = Math.max(this.largestPerPacket, this.sinceLastPacket);
    this.largest = Math.max(this.largest, size);
    this.total += size;
    return super.allocate(size);
  }
}

interface Outcome {
  packets: Packet[];
  errors: ProtocolError[];
  decoder: Counting;
}

/** Feeds `frame` in random chunks, then NUL bytes (a reserved type) until the decoder has spoken. */
function run(frame: Uint8Array, version: ProtocolVersion, r: () => number, poolSize: number): Outcome {
  const packets: Packet[] = [];
  const errors: ProtocolError[] = [];
  const decoder: Counting = new Counting({
    protocolVersion: version,
    maxPacketSize: MAX,
    poolSize,
    onPacket: (p) => {
      if (errors.length > 0) throw new Error("a packet after an error");
      packets.push(p);
      decoder.sinceLastPacket = 0;
    },
    onError: (e) => {
      if (errors.length > 0) throw new Error("a second error without reset");
      errors.push(e);
    },
  });
  for (let pos = 0; pos < frame.length; ) {
    const n = 1 + Math.floor(r() * 40);
    decoder.feed(frame.subarray(pos, pos + n));
    pos += n;
  }
  // Any unfinished packet completes (or fails) within MAX bytes; 0x00 then ends the stream.
  const zeros = new Uint8Array(PADDING);
  const accepted = decoder.feed(zeros);
  if (accepted || errors.length !== 1) throw new Error("the input did not end in a reported error");
  if (decoder.feed(Uint8Array.of(0xc0, 0))) throw new Error("input accepted after an error");
  return { packets, errors, decoder };
}

function mutate(frame: Uint8Array, r: () => number): Uint8Array {
  const bytes = Array.from(frame);
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (bytes.length + 1));
    const kind = Math.floor(r() * 5);
    if (kind === 0 && bytes.length > 0) bytes[at % bytes.length] = Math.floor(r() * 256);
    else if (kind === 1 && bytes.length > 0) bytes[at % bytes.length] ^= 1 << Math.floor(r() * 8);
    else if (kind === 2) bytes.splice(at, 0, Math.floor(r() * 256));
    else if (kind === 3) bytes.splice(at, 1);
    else bytes.length = Math.min(bytes.length, at); // truncate
  }
  return Uint8Array.from(bytes);
}

describe(`fuzz (seed ${SEED}, ${FRAMES} frames, maxPacketSize ${MAX})`, () => {
  test("never throws, never allocates past maxPacketSize, always ends in packets or one reported error", () => {
    const r = rng(SEED);
    const gen = new RandomPackets(rng(SEED + 1));
    let packets = 0;
    let errors = 0;
    let largest = 0;
    const reasons = new Set<number>();
    for (let i = 0; i < FRAMES; i++) {
      const version = ([4, 5] as const)[i % 2];
      let frame: Uint8Array;
      if (i % 5 === 0) {
        frame = gen.bytes(64); // pure noise
        if (frame.length > 0 && r() < 0.5) frame[0] = (frame[0] & 0x0f) | (Math.floor(r() * 15 + 1) << 4);
      } else {
        frame = mutate(encode(gen.packet(version).packet, version), r);
      }
      // Odd frames: one allocation per copy, counted per packet. Even: the default slab pool,
      // where no slab exceeds maxPacketSize and the total cannot outgrow the input.
      const pooled = i % 2 === 0;
      const outcome = run(frame, version, r, pooled ? 8192 : 0);
      const d = outcome.decoder;
      expect(d.largest).toBeLessThanOrEqual(MAX);
      if (!pooled) expect(d.largestPerPacket).toBeLessThanOrEqual(MAX);
      expect(d.total).toBeLessThanOrEqual(2 * (frame.length + PADDING) + MAX);
      largest = Math.max(largest, pooled ? 0 : d.largestPerPacket);
      packets += outcome.packets.length;
      errors += outcome.errors.length;
      for (const e of outcome.errors) {
        reasons.add(e.reasonCode);
        if (!REASONS.includes(e.reasonCode) || e.message.length < 10) expect(e).toBe("a known reason with a sentence");
      }
      // Whatever we accept, we can write back, and read again to the same packet.
      for (const p of outcome.packets) {
        const v = p.cmd === "connect" ? (p.protocolVersion ?? version) : version;
        let bytes: Uint8Array;
        try {
          bytes = encode(p, v);
        } catch (e) {
          // The spec leaves these to the server's judgement (a CONNACK refusal), not the wire's.
          expect(String(e)).toMatch(ENCODER_ONLY_RULES);
          continue;
        }
        const again: Packet[] = [];
        new Decoder({ protocolVersion: v, onPacket: (q) => again.push(q), onError: (e) => expect(e).toBeUndefined() }).feed(bytes);
        const strip = (q: Packet) => ({ ...(plain(q) as object), length: 0 });
        if (!isDeepStrictEqual(again.map(strip), [strip(p)])) expect(again.map(plain)).toEqual([plain(p)]);
      }
    }
    console.log(`fuzz: ${FRAMES} frames, ${packets} packets, reasons ${[...reasons].map((c) => c.toString(16)).join(",")}, largest allocated for one packet without a pool ${largest} bytes`);
    // The corpus reached both outcomes and several kinds of error.
    expect(packets).toBeGreaterThan(1000);
    expect(errors).toBe(FRAMES);
    expect(reasons.size).toBeGreaterThanOrEqual(4);
    expect(largest).toBeGreaterThan(0);
  });
});
