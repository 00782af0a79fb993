// Codec throughput, ours vs mqtt-packet, measured in the same process run and printed as
// ratios (never as absolute targets). Run: npm run bench:codec
import mqttPacket from "mqtt-packet";
import { BytePool, Decoder, encode, type Packet, type ProtocolVersion } from "../src/mqtt/codec/index.js";

const ROUNDS = 9;
const SLICE_MS = 100;
const WARMUP_MS = 300;

/** Operations per second of `fn` (called with a batch size) over one timed slice. */
function rate(fn: (n: number) => void, batch: number, ms: number): number {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn(batch);
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/**
 * Ours and theirs, warmed up, then timed in alternating slices so that both see the same
 * machine load; the ratio is the median of the per-round ratios.
 */
function compare(ours: (n: number) => void, theirs: (n: number) => void, batch: number) {
  rate(ours, batch, WARMUP_MS);
  rate(theirs, batch, WARMUP_MS);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const x = rate(ours, batch, SLICE_MS);
    const y = rate(theirs, batch, SLICE_MS);
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  const median = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1];
  return { ours: median(a), theirs: median(b), ratio: median(ratios) };
}

function buffers(packet: Packet): mqttPacket.Packet {
  const copy = JSON.parse(JSON.stringify(packet, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)));
  if (packet.cmd === "publish" && packet.payload instanceof Uint8Array) copy.payload = Buffer.from(packet.payload);
  return copy as mqttPacket.Packet;
}

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** A 70-byte QoS 1 PUBLISH (2 header + 25 topic + 2 id + 41 payload). */
const publish70: Packet = {
  cmd: "publish",
  qos: 1,
  dup: false,
  retain: false,
  topic: "home/office/temperature",
  messageId: 4242,
  payload: new TextEncoder().encode('{"value":21.5,"unit":"C","ts":1763890000}'),
};

function mixed(version: ProtocolVersion): Packet[] {
  const text = new TextEncoder();
  const list: Packet[] = [];
  for (let i = 0; i < 50; i++) {
    const qos = (i % 3) as 0 | 1 | 2;
    list.push({
      cmd: "publish", qos, dup: false, retain: i % 7 === 0, topic: `home/office/sensor/${i % 5}`,
      messageId: qos ? 1 + i : undefined, payload: text.encode("x".repeat((i * 37) % 300)),
      properties: version === 5 && i % 4 === 0 ? { contentType: "application/json", messageExpiryInterval: 60 } : undefined,
    });
    if (qos === 1) list.push({ cmd: "puback", messageId: 1 + i, reasonCode: 0 });
    if (qos === 2) list.push({ cmd: "pubrec", messageId: 1 + i, reasonCode: 0 }, { cmd: "pubrel", messageId: 1 + i, reasonCode: 0 }, { cmd: "pubcomp", messageId: 1 + i, reasonCode: 0 });
    if (i % 10 === 0) {
      list.push({ cmd: "subscribe", messageId: 900 + i, subscriptions: [{ topic: "home/office/+", qos: 1 }, { topic: "cmd/#", qos: 2 }] });
      list.push({ cmd: "suback", messageId: 900 + i, granted: [1, 2] });
      list.push({ cmd: "pingreq" }, { cmd: "pingresp" });
    }
  }
  list.push({ cmd: "connack", sessionPresent: false, returnCode: 0, reasonCode: 0 }, { cmd: "unsubscribe", messageId: 77, unsubscriptions: ["cmd/#"] });
  return list;
}

interface Row {
  name: string;
  ours: number;
  theirs: number;
  ratio: number;
}

function benchEncode(name: string, packets: Packet[], version: ProtocolVersion, pool?: BytePool): Row {
  const theirPackets = packets.map(buffers);
  const opts = { protocolVersion: version };
  let sink = 0;
  const r = compare(
    (n) => {
      for (let i = 0; i < n; i++) for (const p of packets) sink += encode(p, version, pool).length;
    },
    (n) => {
      for (let i = 0; i < n; i++) for (const p of theirPackets) sink += mqttPacket.generate(p, opts).length;
    },
    Math.max(1, Math.floor(200 / packets.length)),
  );
  if (sink < 0) console.log(sink);
  return { name, ours: r.ours * packets.length, theirs: r.theirs * packets.length, ratio: r.ratio };
}

function benchDecode(name: string, packets: Packet[], version: ProtocolVersion, chunkSize: number): Row {
  const stream = concat(packets.map((p) => encode(p, version)));
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) chunks.push(stream.subarray(at, at + chunkSize));
  const theirChunks = chunks.map((c) => Buffer.from(c));
  let count = 0;
  const decoder = new Decoder({ protocolVersion: version, onPacket: () => count++, onError: (e) => { throw new Error(e.message); } });
  const parser = mqttPacket.parser({ protocolVersion: version });
  parser.on("packet", () => count++);
  parser.on("error", (e: Error) => { throw e; });
  const r = compare(
    (n) => {
      for (let i = 0; i < n; i++) for (const c of chunks) decoder.feed(c);
    },
    (n) => {
      for (let i = 0; i < n; i++) for (const c of theirChunks) parser.parse(c);
    },
    Math.max(1, Math.floor(200 / packets.length)),
  );
  if (count < 0) console.log(count);
  return { name, ours: r.ours * packets.length, theirs: r.theirs * packets.length, ratio: r.ratio };
}

function main(): void {
  const stream4 = mixed(4);
  const stream5 = mixed(5);
  const bytes4 = concat(stream4.map((p) => encode(p, 4))).length;
  console.log(`codec benchmark on Node ${process.version}: packets/s, medians of ${ROUNDS} alternating ${SLICE_MS} ms slices`);
  console.log(`70-byte QoS 1 PUBLISH: ${encode(publish70).length} bytes; mixed stream: ${stream4.length} packets, ${bytes4} bytes (3.1.1)`);
  // mqtt-packet's Buffers come from Node's slab pool; ours with a BytePool do the same, without
  // one each packet is its own exact allocation (what an outbox should keep).
  const pool = new BytePool();
  const rows: Row[] = [
    benchEncode("encode 70-byte QoS 1 PUBLISH (3.1.1), pooled", [publish70], 4, pool),
    benchEncode("encode 70-byte QoS 1 PUBLISH (5.0), pooled", [publish70], 5, pool),
    benchEncode("encode mixed stream (3.1.1), pooled", stream4, 4, pool),
    benchEncode("encode mixed stream (5.0), pooled", stream5, 5, pool),
    benchEncode("encode 70-byte QoS 1 PUBLISH (3.1.1), exact alloc", [publish70], 4),
    benchEncode("encode mixed stream (3.1.1), exact alloc", stream4, 4),
    benchDecode("decode 70-byte QoS 1 PUBLISH, one per chunk (3.1.1)", [publish70], 4, 70),
    benchDecode("decode 70-byte QoS 1 PUBLISH, one per chunk (5.0)", [publish70], 5, 71),
    benchDecode("decode mixed stream, 1460-byte chunks (3.1.1)", stream4, 4, 1460),
    benchDecode("decode mixed stream, 1460-byte chunks (5.0)", stream5, 5, 1460),
    benchDecode("decode mixed stream, 64-byte chunks (3.1.1)", stream4, 4, 64),
  ];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(12);
  console.log(`${"".padEnd(54)}${"ours".padStart(12)}${"mqtt-packet".padStart(12)}  ratio`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(54)}${fmt(r.ours)}${fmt(r.theirs)}  ${r.ratio.toFixed(2)}x`);
  }
}

main();
