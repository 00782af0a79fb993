// Our codec against mqtt-packet (the oracle) on seeded random valid packets: the same bytes
// out of both encoders, and the same packet out of both decoders for those bytes.
import mqttPacket from "mqtt-packet";
import { isDeepStrictEqual } from "node:util";
import { encode, type Packet, type ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { RandomPackets } from "./random-packets.js";
import { decodeChunks, plain, rng, withBuffers } from "./support.js";

const SEED = Number(process.env.CODEC_SEED ?? 20261123);
const COUNT = 12000;

function theirParse(bytes: Uint8Array, version: ProtocolVersion): unknown[] {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: unknown[] = [];
  parser.on("packet", (p: unknown) => packets.push(p));
  parser.on("error", (e: Error) => packets.push({ error: e.message }));
  parser.parse(Buffer.from(bytes));
  return packets;
}

describe(`differential against mqtt-packet (seed ${SEED}, ${COUNT} packets)`, () => {
  test("encodes to the same bytes and decodes those bytes to the same packets", () => {
    const gen = new RandomPackets(rng(SEED));
    const seen: Record<string, number> = {};
    for (let i = 0; i < COUNT; i++) {
      const version = ([3, 4, 5, 5] as const)[i % 4];
      const { packet } = gen.packet(version);
      const ours = encode(packet, version);
      const theirs = new Uint8Array(mqttPacket.generate(withBuffers(packet) as mqttPacket.Packet, { protocolVersion: version }));
      if (!isDeepStrictEqual(ours, theirs)) {
        expect({ i, version, packet, bytes: Buffer.from(ours).toString("hex") }).toEqual({ i, version, packet, bytes: Buffer.from(theirs).toString("hex") });
      }
      const decoded = decodeChunks([ours], version);
      const reference = theirParse(ours, version).map(plain);
      const mine = decoded.packets.map(plain);
      if (decoded.errors.length > 0 || !isDeepStrictEqual(mine, reference)) {
        expect({ i, version, packet, decoded: mine, errors: decoded.errors }).toEqual({ i, version, packet, decoded: reference, errors: [] });
      }
      seen[`${packet.cmd} v${version}`] = (seen[`${packet.cmd} v${version}`] ?? 0) + 1;
    }
    // every packet type was exercised in every version it exists in
    for (const cmd of ["connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
      "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect"]) {
      for (const v of [3, 4, 5]) expect(seen[`${cmd} v${v}`]).toBeGreaterThan(20);
    }
    expect(seen["auth v5"]).toBeGreaterThan(20);
  });

  test("decodes a stream of all those packets, cut into random chunks, to the same packets as one by one", () => {
    const gen = new RandomPackets(rng(SEED + 1));
    const r = rng(SEED + 2);
    for (const version of [4, 5] as const) {
      const packets: Packet[] = [];
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 800; i++) {
        const { packet } = gen.packet(version);
        if (packet.cmd === "connect") continue; // a CONNECT would switch the decoder's version
        packets.push(packet);
        frames.push(encode(packet, version));
      }
      const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of frames) {
        stream.set(f, at);
        at += f.length;
      }
      const chunks: Uint8Array[] = [];
      for (let pos = 0; pos < stream.length; ) {
        const n = Math.min(stream.length - pos, Math.floor(r() * 300));
        chunks.push(stream.subarray(pos, pos + n));
        pos += n;
      }
      const whole = frames.map((f) => plain(decodeChunks([f], version).packets[0]));
      const chunked = decodeChunks(chunks, version);
      expect(chunked.errors).toEqual([]);
      expect(chunked.packets.length).toBe(frames.length);
      expect(isDeepStrictEqual(chunked.packets.map(plain), whole)).toBe(true);
    }
  });
});
