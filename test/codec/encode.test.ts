import { encode, type Packet } from "../../src/mqtt/codec/index.js";
import { REMAINING_LENGTHS, VECTORS, bytes, hexOf } from "./vectors.js";

describe("encode", () => {
  test.each(VECTORS.map((v) => [v.name, v] as const))("writes the exact bytes of %s", (_name, vector) => {
    expect(hexOf(encode(vector.packet, vector.version))).toBe(hexOf(bytes(vector.hex)));
  });

  test("writes each remaining-length boundary from the spec's table in its shortest form", () => {
    for (const [length, hex] of REMAINING_LENGTHS) {
      if (length > 1 << 22) continue; // 256 MiB: decode.test.ts reads that header instead
      const payload = new Uint8Array(Math.max(0, length - 3));
      if (length < 3) continue;
      const out = encode({ cmd: "publish", topic: "t", payload, qos: 0, dup: false, retain: false });
      expect(hexOf(out.subarray(1, 1 + hex.split(" ").length))).toBe(hex);
      expect(out.length).toBe(1 + hex.split(" ").length + length);
    }
  });

  test("uses the CONNECT's own protocolVersion and defaults clean, keepalive and protocolId", () => {
    const out = encode({ cmd: "connect", clientId: "x", protocolVersion: 5 }, 4);
    expect(hexOf(out)).toBe("10 0e 00 04 4d 51 54 54 05 02 00 00 00 00 01 78");
  });

  test("writes a string payload as UTF-8", () => {
    const out = encode({ cmd: "publish", topic: "t", payload: "é", qos: 0, dup: false, retain: false });
    expect(hexOf(out)).toBe("30 05 00 01 74 c3 a9");
  });

  const invalid: [string, Packet, number][] = [
    ["a wildcard in a PUBLISH topic", { cmd: "publish", topic: "a/+", payload: "", qos: 0, dup: false, retain: false }, 4],
    ["an empty PUBLISH topic in 3.1.1", { cmd: "publish", topic: "", payload: "", qos: 0, dup: false, retain: false }, 4],
    ["QoS 1 without a messageId", { cmd: "publish", topic: "t", payload: "", qos: 1, dup: false, retain: false }, 4],
    ["dup on QoS 0", { cmd: "publish", topic: "t", payload: "", qos: 0, dup: true, retain: false }, 4],
    ["QoS 3", { cmd: "publish", topic: "t", payload: "", qos: 3 as 0, dup: false, retain: false }, 4],
    ["a NUL in a topic", { cmd: "publish", topic: "a\u0000", payload: "", qos: 0, dup: false, retain: false }, 4],
    ["messageId 0", { cmd: "puback", messageId: 0 }, 4],
    ["messageId past 65535", { cmd: "puback", messageId: 65536 }, 4],
    ["an empty SUBSCRIBE", { cmd: "subscribe", messageId: 1, subscriptions: [] }, 4],
    ["retain handling 3", { cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a", qos: 0, rh: 3 }] }, 5],
    ["a property in the wrong packet", { cmd: "puback", messageId: 1, properties: { topicAlias: 1 } as never }, 5],
    ["an unknown property", { cmd: "disconnect", properties: { colour: "red" } as never }, 5],
    ["a reason code the packet may not carry", { cmd: "puback", messageId: 1, reasonCode: 0x92 }, 5],
    ["AUTH in 3.1.1", { cmd: "auth", reasonCode: 0 }, 4],
    ["a password without a user name in 3.1.1", { cmd: "connect", clientId: "a", password: "p" }, 4],
    ["an empty client id without clean in 3.1.1", { cmd: "connect", clientId: "", clean: false }, 4],
    ["a keepalive past 65535", { cmd: "connect", clientId: "a", keepalive: 70000 }, 4],
    ["a string longer than 65535 bytes", { cmd: "connect", clientId: "a".repeat(65536) }, 4],
    ["an unknown cmd", { cmd: "hello" } as unknown as Packet, 4],
  ];
  test.each(invalid)("throws a clear Error for %s", (_what, packet, version) => {
    expect(() => encode(packet, version as 4)).toThrow(/^cannot encode: .{10,}/);
  });
});
