import { Decoder, TOPIC_KEPT, type Packet, type ProtocolError, type SkippedPublish } from "../../src/mqtt/codec/index.js";
import { decodeChunks, plain } from "./support.js";
import { VECTORS, bytes } from "./vectors.js";

describe("Decoder", () => {
  test.each(VECTORS.map((v) => [v.name, v] as const))("decodes %s into mqtt-packet's shape", (_name, vector) => {
    const { packets, errors } = decodeChunks([bytes(vector.hex)], vector.version);
    expect(errors).toEqual([]);
    expect(packets.map(plain)).toEqual([plain(vector.packet)]);
  });

  test("decodes every vector split at every point into the same packet", () => {
    let splits = 0;
    for (const vector of VECTORS) {
      const all = bytes(vector.hex);
      for (let i = 0; i <= all.length; i++) {
        const { packets, errors } = decodeChunks([all.subarray(0, i), all.subarray(i)], vector.version);
        expect(errors).toEqual([]);
        expect(packets.map(plain)).toEqual([plain(vector.packet)]);
        splits++;
      }
    }
    expect(splits).toBeGreaterThan(600);
  });

  test("decodes all vectors of a version as one stream, fed one byte at a time and all at once", () => {
    for (const version of [4, 5] as const) {
      const vectors = VECTORS.filter((v) => v.version === version && v.packet.cmd !== "connect");
      const stream = Uint8Array.from(vectors.flatMap((v) => Array.from(bytes(v.hex))));
      const expected = vectors.map((v) => plain(v.packet));
      const byByte = decodeChunks(Array.from(stream, (b) => Uint8Array.of(b)), version);
      expect(byByte.errors).toEqual([]);
      expect(byByte.packets.map(plain)).toEqual(expected);
      const whole = decodeChunks([stream], version);
      expect(whole.packets.map(plain)).toEqual(expected);
    }
  });

  test("gives payloads that stay valid after the caller reuses its chunk", () => {
    const chunk = bytes("30 07 00 01 74 61 62 63 64");
    const { packets } = decodeChunks([chunk]);
    chunk.fill(0);
    expect(plain(packets[0])).toMatchObject({ topic: "t", payload: Uint8Array.of(0x61, 0x62, 0x63, 0x64) });
  });

  test("tells apart recurring topics of the same length, beyond the few it remembers", () => {
    const topics = ["a/b/c1", "a/b/c2", "a/b/c3", "a/b/c4", "a/b/c5", "a/b/c1", "x", "a/b/c2", "é/b", "a/b/c5"];
    const frames = topics.map((t) => {
      const name = Buffer.from(t, "utf8");
      return Uint8Array.of(0x30, 2 + name.length + 1, 0, name.length, ...name, 0x2a);
    });
    const { packets, errors } = decodeChunks(frames.concat(frames));
    expect(errors).toEqual([]);
    expect(packets.map((p) => (p as { topic: string }).topic)).toEqual(topics.concat(topics));
  });

  test("learns the protocol version from a CONNECT, as a server-side decoder must", () => {
    const connect = VECTORS.find((v) => v.name.startsWith("5.0 spec 3.1.2.11"))!;
    const seen: Packet[] = [];
    const decoder = new Decoder({ onPacket: (p) => seen.push(p), onError: () => undefined });
    expect(decoder.protocolVersion).toBe(4);
    decoder.feed(bytes(connect.hex));
    expect(decoder.protocolVersion).toBe(5);
    decoder.feed(bytes("e0 02 8e 00"));
    expect(seen[1]).toMatchObject({ cmd: "disconnect", reasonCode: 0x8e });
  });

  const malformed: [string, string, number, number, RegExp][] = [
    ["a remaining length of 5 bytes", "30 ff ff ff ff 01", 4, 0x81, /remaining length exceeds 4 bytes/],
    ["a remaining length not in shortest form", "c0 80 00", 4, 0x81, /shortest form/],
    ["reserved packet type 0", "00 00", 4, 0x81, /type 0 is reserved/],
    ["PUBLISH with QoS 3", "36 00", 4, 0x81, /both QoS bits/],
    ["PUBLISH QoS 0 with DUP", "38 03 00 01 74", 4, 0x81, /DUP/],
    ["SUBSCRIBE with header flags 0000", "80 06 00 01 00 01 61 00", 4, 0x81, /SUBSCRIBE must have header flags 0010/],
    ["PUBACK with header flags 0001", "41 02 00 01", 4, 0x81, /PUBACK must have header flags 0000/],
    ["AUTH in MQTT 3.1.1", "f0 00", 4, 0x81, /only in MQTT 5/],
    ["a wildcard in a PUBLISH topic", "30 05 00 03 61 2f 23", 4, 0x90, /wildcard/],
    ["an empty PUBLISH topic in 3.1.1", "30 02 00 00", 4, 0x82, /empty/],
    ["invalid UTF-8 in a topic", "30 04 00 02 c0 80", 4, 0x81, /UTF-8/],
    ["U+0000 in a topic", "30 04 00 02 61 00", 4, 0x81, /U\+0000/],
    ["a string past the end of the packet", "30 03 00 05 61", 4, 0x81, /past the end/],
    ["packet identifier 0", "40 02 00 00", 4, 0x82, /identifier is 0/],
    ["PUBACK with trailing bytes in 3.1.1", "40 03 00 01 00", 4, 0x81, /trailing/],
    ["PINGREQ with a body", "c0 01 00", 4, 0x81, /no body/],
    ["SUBSCRIBE with reserved option bits in 3.1.1", "82 06 00 01 00 01 61 04", 4, 0x81, /reserved bits/],
    ["SUBSCRIBE asking QoS 3", "82 06 00 01 00 01 61 03", 4, 0x81, /QoS 3/],
    ["SUBSCRIBE without filters", "82 02 00 01", 4, 0x82, /no topic filter/],
    ["SUBACK code 3 in 3.1.1", "90 03 00 01 03", 4, 0x81, /SUBACK code/],
    ["CONNECT with the reserved flag", "10 0d 00 04 4d 51 54 54 04 03 00 00 00 01 61", 4, 0x81, /reserved flag/],
    ["CONNECT for protocol level 6", "10 0d 00 04 4d 51 54 54 06 02 00 00 00 01 61", 4, 0x84, /level 6/],
    ["CONNECT will QoS without a will", "10 0d 00 04 4d 51 54 54 04 0a 00 00 00 01 61", 4, 0x81, /without a will/],
    ["CONNACK with reserved flags", "20 02 02 00", 4, 0x81, /CONNACK flags/],
    ["an unknown property", "e0 04 00 02 7f 00", 5, 0x81, /not an MQTT 5 property/],
    ["a property the packet may not carry", "40 07 00 01 00 03 23 00 01", 5, 0x82, /not allowed in PUBACK/],
    ["a duplicate property", "e0 0c 00 0a 11 00 00 00 01 11 00 00 00 02", 5, 0x82, /more than once/],
    ["topic alias 0", "30 07 00 01 74 03 23 00 00", 5, 0x82, /topicAlias is 0/],
    ["payload format indicator 2", "30 06 00 01 74 02 01 02", 5, 0x82, /not 0 or 1/],
    ["properties past the end of the packet", "30 04 00 01 74 09", 5, 0x81, /past the end/],
    ["an invalid PUBACK reason code", "40 04 00 01 92 00", 5, 0x81, /PUBACK reason code/],
    ["an invalid DISCONNECT reason code", "e0 01 01", 5, 0x81, /DISCONNECT reason code/],
    ["an empty PUBLISH topic without an alias in 5.0", "30 03 00 00 00", 5, 0x82, /no topic alias/],
  ];
  test.each(malformed)("reports %s as a value with its reason code", (_what, hex, version, code, message) => {
    const { packets, errors } = decodeChunks([bytes(hex)], version as 4);
    expect(packets).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].reasonCode).toBe(code);
    expect(errors[0].message).toMatch(message);
  });

  test("refuses the largest remaining length before allocating when it exceeds maxPacketSize", () => {
    const sizes: number[] = [];
    class Counting extends Decoder {
      protected override allocate(size: number): Uint8Array {
        sizes.push(size);
        return super.allocate(size);
      }
    }
    const errors: ProtocolError[] = [];
    const decoder = new Counting({ maxPacketSize: 1024, onPacket: () => undefined, onError: (e) => errors.push(e) });
    expect(decoder.feed(bytes("30 ff ff ff 7f"))).toBe(false);
    expect(errors).toEqual([
      { reasonCode: 0x95, message: "packet of 268435460 bytes exceeds the maximum packet size of 1024 bytes" },
    ]);
    expect(sizes).toEqual([]);
  });

  test("with the default maximum, a body grows with what arrives: five bytes announcing 256 MB allocate 4 KB", () => {
    const sizes: number[] = [];
    class Counting extends Decoder {
      protected override allocate(size: number): Uint8Array {
        sizes.push(size);
        return super.allocate(size);
      }
    }
    const decoder = new Counting({ onPacket: () => undefined, onError: () => undefined, poolSize: 0 });
    decoder.feed(bytes("30 ff ff ff 7f"));
    expect(sizes).toEqual([4096]);
    // A megabyte arriving in 64 KB chunks: the buffer doubles as it fills, to at most twice what came.
    const chunk = new Uint8Array(65536);
    for (let i = 0; i < 16; i++) decoder.feed(chunk);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * 16 * 65536);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(4 * 16 * 65536);
  });

  test("a body split across chunks that outgrows its first buffer decodes whole", () => {
    const payload = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    const packet = Uint8Array.from([0x30, 0x93, 0x4e, 0x00, 0x01, 0x74, ...payload]); // remaining 10003
    const { packets, errors } = decodeChunks([packet.subarray(0, 100), packet.subarray(100, 5000), packet.subarray(5000)]);
    expect(errors).toEqual([]);
    expect(plain(packets[0])).toMatchObject({ topic: "t", payload });
  });

  test("accepts a packet of exactly maxPacketSize and refuses one byte more", () => {
    const ok = decodeChunks([bytes("30 07 00 01 74 61 62 63 64")], 4, 9);
    expect(ok.errors).toEqual([]);
    const tooBig = decodeChunks([bytes("30 07 00 01 74 61 62 63 64")], 4, 8);
    expect(tooBig.errors[0].reasonCode).toBe(0x95);
  });

  test("refuses further input after an error until reset, then decodes again", () => {
    const seen: Packet[] = [];
    const errors: ProtocolError[] = [];
    const decoder = new Decoder({ onPacket: (p) => seen.push(p), onError: (e) => errors.push(e) });
    expect(decoder.feed(bytes("00"))).toBe(false);
    expect(decoder.feed(bytes("c0 00"))).toBe(false);
    expect(seen).toEqual([]);
    expect(errors).toHaveLength(1);
    decoder.reset();
    expect(decoder.feed(bytes("c0 00"))).toBe(true);
    expect(seen.map((p) => p.cmd)).toEqual(["pingreq"]);
  });

  test("reset drops a partial packet", () => {
    const seen: Packet[] = [];
    const decoder = new Decoder({ onPacket: (p) => seen.push(p), onError: () => undefined });
    decoder.feed(bytes("30 07 00 01"));
    decoder.reset();
    decoder.feed(bytes("d0 00"));
    expect(seen.map((p) => p.cmd)).toEqual(["pingresp"]);
  });

  test("keeps a peer's user property named __proto__ as a plain entry", () => {
    const { packets } = decodeChunks([bytes("e0 11 00 0f 26 00 09 5f 5f 70 72 6f 74 6f 5f 5f 00 01 78")], 5);
    const props = (packets[0] as { properties: { userProperties: Record<string, unknown> } }).properties;
    expect(props.userProperties["__proto__"]).toBe("x");
    expect(Object.getPrototypeOf(props.userProperties)).toBeNull();
  });
});

describe("Decoder skipping a PUBLISH over maxPacketSize", () => {
  /** A 3.1.1 PUBLISH as bytes: first byte, remaining length, topic, id (QoS > 0), payload. */
  function publish(first: number, topic: string, id: number, payloadBytes: number): Uint8Array {
    const name = Buffer.from(topic, "utf8");
    const body = [name.length >> 8, name.length & 0xff, ...name, ...(first & 6 ? [id >> 8, id & 0xff] : [])];
    let remaining = body.length + payloadBytes;
    const length: number[] = [];
    do {
      length.push((remaining & 0x7f) | (remaining > 0x7f ? 0x80 : 0));
      remaining >>>= 7;
    } while (remaining > 0);
    return Uint8Array.from([first, ...length, ...body, ...new Array<number>(payloadBytes).fill(0x78)]);
  }

  function skipping(maxPacketSize: number) {
    const allocated: number[] = [];
    class Counting extends Decoder {
      protected override allocate(size: number): Uint8Array {
        allocated.push(size);
        return super.allocate(size);
      }
    }
    const skipped: SkippedPublish[] = [];
    const packets: Packet[] = [];
    const errors: ProtocolError[] = [];
    const decoder = new Counting({ maxPacketSize, poolSize: 0, onPacket: (p) => packets.push(p), onError: (e) => errors.push(e), onSkipped: (s) => skipped.push(s) });
    decoder.skipOversized = true;
    return { decoder, skipped, packets, errors, allocated };
  }

  test("streams past it at every split point, keeps topic, QoS and id, and decodes the packet after it", () => {
    const big = publish(0x33, "home/office/lamp", 0x1234, 300); // QoS 1, retain
    const next = bytes("30 05 00 01 74 68 69"); // QoS 0 "t" "hi"
    const stream = Uint8Array.from([...big, ...next]);
    for (let i = 0; i <= stream.length; i++) {
      const d = skipping(64);
      expect(d.decoder.feed(stream.subarray(0, i))).toBe(true);
      expect(d.decoder.feed(stream.subarray(i))).toBe(true);
      expect(d.errors).toEqual([]);
      expect(d.skipped).toEqual([{ topic: "home/office/lamp", qos: 1, messageId: 0x1234, retain: true, dup: false, size: big.length }]);
      expect(d.packets.map(plain)).toEqual([expect.objectContaining({ cmd: "publish", topic: "t", payload: Uint8Array.of(0x68, 0x69) })]);
    }
  });

  test("allocates only the kept topic, never the body, even for a 1 MiB message fed in 16 KiB chunks", () => {
    const d = skipping(4096);
    const big = publish(0x34, "a/b", 7, 1 << 20); // QoS 2
    for (let at = 0; at < big.length; at += 16384) d.decoder.feed(big.subarray(at, at + 16384));
    expect(d.skipped).toEqual([{ topic: "a/b", qos: 2, messageId: 7, retain: false, dup: false, size: big.length }]);
    expect(d.allocated).toEqual([]);
  });

  test("keeps a long topic's first bytes, cut at a character, with ...", () => {
    const topic = "t/" + "é".repeat(200); // 402 bytes
    const d = skipping(256);
    d.decoder.feed(publish(0x30, topic, 0, 10));
    expect(d.skipped[0].topic).toBe(`t/${"é".repeat((TOPIC_KEPT - 2) / 2)}...`);
    const odd = skipping(256);
    odd.decoder.feed(publish(0x30, "t/x" + "é".repeat(200), 0, 10)); // the cut falls inside an é
    expect(odd.skipped[0].topic).toBe(`t/x${"é".repeat((TOPIC_KEPT - 4) / 2)}...`);
  });

  test("a skipped PUBLISH too short for its topic, or with packet id 0, is malformed", () => {
    const short = skipping(8);
    short.decoder.feed(bytes("32 0a 00 20 61 61 61 61 61 61 61 61"));
    expect(short.errors).toEqual([{ reasonCode: 0x81, message: "PUBLISH is shorter than its topic and packet id" }]);
    const zero = skipping(8);
    zero.decoder.feed(bytes("32 0a 00 01 61 00 00 61 61 61 61 61"));
    expect(zero.errors).toEqual([{ reasonCode: 0x81, message: "PUBLISH packet identifier is 0" }]);
  });

  test("without skipOversized (MQTT 5) it is refused as too large, and other packet types always are", () => {
    const strict = decodeChunks([publish(0x30, "t", 0, 100)], 5, 64);
    expect(strict.errors[0].reasonCode).toBe(0x95);
    const d = skipping(8);
    d.decoder.feed(bytes("90 0a 00 01 00 00 00 00 00 00 00 00")); // a SUBACK
    expect(d.errors[0].reasonCode).toBe(0x95);
    expect(d.skipped).toEqual([]);
  });
});
