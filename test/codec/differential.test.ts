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

describe("a drop-in for mqtt-packet users", () => {
  const ours = (packet: unknown, version: ProtocolVersion) => Buffer.from(encode(packet as Packet, version)).toString("hex");
  const theirs = (packet: unknown, version: ProtocolVersion) => mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion: version }).toString("hex");

  test.each([3, 4, 5] as const)("MQTT %s: topic, client id, user name and protocol name may be bytes, as mqtt-packet takes them", (version) => {
    const publish = { cmd: "publish", topic: Buffer.from("home/ü"), payload: Buffer.from("x"), qos: 1, messageId: 7, retain: false, dup: false };
    expect(ours(publish, version)).toBe(theirs(publish, version));
    const connect = {
      cmd: "connect",
      protocolId: Buffer.from(version === 3 ? "MQIsdp" : "MQTT"),
      protocolVersion: version,
      clientId: Buffer.from("dev-1"),
      username: Buffer.from("ünïcode"),
      password: Buffer.from("p"),
      clean: true,
      keepalive: 30,
    };
    expect(ours(connect, version)).toBe(theirs(connect, version));
  });

  test("bytes that are not UTF-8 are refused where a string must be", () => {
    expect(() => encode({ cmd: "publish", topic: Uint8Array.of(0xc3, 0x28), payload: "", qos: 0, retain: false, dup: false }, 4)).toThrow(
      "cannot encode: PUBLISH topic bytes are not valid UTF-8",
    );
  });

  test.each([3, 4])("Mosquitto's bridge flag (protocol level %s | 0x80) round-trips as bridgeMode", (level) => {
    const connect = { cmd: "connect", protocolId: level === 3 ? "MQIsdp" : "MQTT", protocolVersion: level, bridgeMode: true, clean: false, keepalive: 30, clientId: "test" };
    const bytes = encode(connect as Packet, level as ProtocolVersion);
    expect(Buffer.from(bytes).toString("hex")).toBe(theirs(connect, level as ProtocolVersion));
    expect(bytes[2 + 2 + (level === 3 ? 6 : 4)]).toBe(0x80 | level);
    const decoded = decodeChunks([bytes], 4).packets.map(plain);
    expect(decoded).toEqual(theirParse(bytes, 4).map(plain));
    expect(decoded[0]).toMatchObject({ protocolVersion: level, bridgeMode: true });
  });
});
