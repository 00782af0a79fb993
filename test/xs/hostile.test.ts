// A hostile broker, inside XS: the client of src/mqtt bundled into an xsnap machine with a
// scripted broker on an in-memory link and a virtual clock (hostile-broker.ts, served by
// hostile-xs.ts). Each case runs on XS and on Node with the same script: the transcripts must be
// equal, and each asserts the close reason (the DISCONNECT written on MQTT 5), the sentence, the
// reconnect after the backoff, and on XS the live heap (slots x 16 + chunk bytes after a GC)
// against a budget. The Node-only cases and their reasons are in test/client/hostile.test.ts.
import { handle, type Status, type Step } from "./hostile-broker.js";
import { startLab, type HeapFigures, type Lab } from "./lab.js";

type Drive = (step: Step) => Promise<unknown>;

const CONNACK_V4 = "20020000";
const CONNACK_V5 = "2003000000";
const ANNOUNCED_PACKET = 1 + 4 + 268_435_455;
/** The client's maxPacketSize in these cases, and what the heap of a case may grow by in all. */
const MAX_PACKET = 4096;
const MiB = 1 << 20;
/** The first retry after a close: random() is 0.5, so the middle of [min, 2 * min] with min 1 s. */
const FIRST_RETRY = 1500;
/** A PUBLISH header announcing 268,435,455 bytes (QoS 1, id 7, topic "big"), and what follows it. */
const HUGE_HEAD = "32ffffff7f 0003 626967 0007";
const HUGE_PAYLOAD = 268_435_455 - (2 + 3 + 2);
const CONNECT_FROM_BROKER_V4 = "100d00044d5154540402000a000162";
const CONNECT_FROM_BROKER_V5 = "100e00044d5154540502000a00000162";

const disconnect = (code: number): string => `e002${code.toString(16).padStart(2, "0")}00`;
const hex2 = (n: number): string => n.toString(16).padStart(4, "0");
/** QoS 2 PUBLISH on "t", payload "x", with `id`. */
const qos2 = (id: number, version: 4 | 5): string => (version === 5 ? `3407 0001 74 ${hex2(id)} 00 78` : `3406 0001 74 ${hex2(id)} 78`);

/** Heap figures around a step of a case: measured in XS; on Node, where the transcript is compared, none. */
interface Probe {
  mark(): Promise<void>;
  grown(): Promise<number | undefined>;
}
const NO_PROBE: Probe = { mark: async () => undefined, grown: async () => undefined };

const signed = (n: number | undefined): string => (n !== undefined && n >= 0 ? `+${n}` : String(n));

const onNode: Drive = async (step) => JSON.parse(handle(JSON.stringify(step)));

/** Connects a client on the given version and returns the CONNECT it wrote. */
async function online(drive: Drive, version: 4 | 5, options: object = {}): Promise<string> {
  await drive({ op: "new", options: { protocolVersion: version, maxPacketSize: MAX_PACKET, ...options } });
  await drive({ op: "start" });
  await drive({ op: "open" });
  const [connect] = (await drive({ op: "take" })) as string[];
  await drive({ op: "send", hex: version === 5 ? CONNACK_V5 : CONNACK_V4 });
  await drive({ op: "take" });
  return connect;
}

const status = async (drive: Drive): Promise<Status> => (await drive({ op: "status" })) as Status;

/** The reconnect: the wait the client chose, whether it was still waiting 1 ms before, and the CONNECT after. */
async function reconnect(drive: Drive): Promise<{ wait: number | null; waitingBefore: boolean; sameConnect: string[] }> {
  const before = await status(drive);
  const wait = before.due;
  await drive({ op: "advance", ms: (wait ?? 0) - 1 });
  const waitingBefore = (await status(drive)).links === before.links;
  await drive({ op: "advance", ms: 1 });
  await drive({ op: "open" });
  return { wait, waitingBefore, sameConnect: (await drive({ op: "take" })) as string[] };
}

interface Transcript {
  written: string[];
  after: Status;
  allocated: { total: number; largest: number };
  reconnect: Awaited<ReturnType<typeof reconnect>>;
  connect: string;
}

/** A bad packet from a connected broker: what the client wrote, its status, the decoder's allocations, the reconnect. */
async function badPacket(drive: Drive, version: 4 | 5, hex: string): Promise<Transcript> {
  const connect = await online(drive, version);
  await drive({ op: "count" });
  await drive({ op: "send", hex });
  const written = (await drive({ op: "take" })) as string[];
  const allocated = (await drive({ op: "count" })) as Transcript["allocated"];
  const after = await status(drive);
  return { written, after, allocated, reconnect: await reconnect(drive), connect };
}

function expectClosedWith(t: Transcript, written: string[], error: object): void {
  expect(t.written).toEqual(written);
  expect(t.after).toMatchObject({ connected: false, closed: true, disconnects: [error] });
  // The next attempt waits the backoff's first 1 s, not a millisecond less, and sends CONNECT again.
  expect(t.reconnect).toEqual({ wait: FIRST_RETRY, waitingBefore: true, sameConnect: [t.connect] });
}

describe("a hostile broker against the client inside XS", () => {
  let lab: Lab;
  const onXs: Drive = async (step) => JSON.parse((await lab.send(JSON.stringify(step))).reply);
  const figures: string[] = [];
  /** Board bytes (slots x 16 + chunk bytes, after a GC) the XS heap grew by since mark(). */
  const xsProbe = (): Probe => {
    let from: HeapFigures | undefined;
    return {
      mark: async () => void (from = await lab.heap()),
      grown: async () => (await lab.heap()).boardBytes - (from as HeapFigures).boardBytes,
    };
  };

  beforeAll(async () => {
    lab = await startLab("test/xs/hostile-xs.ts");
  }, 60_000);
  afterAll(async () => {
    console.log(`XS heap, board bytes grown during each case:\n${figures.join("\n")}`);
    await lab?.close();
  });

  test("MQTT 5: a PUBLISH announcing 268 MB is refused on its fixed header with DISCONNECT 0x95; nothing allocated; reconnect after the backoff", async () => {
    const xs = await badPacket(onXs, 5, "30ffffff7f");
    expect(xs).toEqual(await badPacket(onNode, 5, "30ffffff7f"));
    expectClosedWith(xs, [disconnect(0x95)], {
      code: "protocol",
      reasonCode: 0x95,
      message: `the broker sent a bad packet: packet of ${ANNOUNCED_PACKET} bytes exceeds the maximum packet size of ${MAX_PACKET} bytes`,
    });
    expect(xs.allocated).toEqual({ total: 0, largest: 0 });
  });

  test("3.1.1: a 268 MB PUBLISH streamed through XS is skipped as it streams: the heap stays within budget mid-stream and after; PUBACK; the session goes on", async () => {
    const script = async (drive: Drive, probe = NO_PROBE) => {
      await online(drive, 4);
      await drive({ op: "subscribe", filter: "small", qos: 0 });
      await drive({ op: "take" });
      await drive({ op: "chunk", size: MiB, fill: 0x78 });
      const whole = Math.floor(HUGE_PAYLOAD / MiB);
      await drive({ op: "count" });
      await probe.mark();
      await drive({ op: "send", hex: HUGE_HEAD });
      await drive({ op: "stream", times: whole >> 1 });
      const midStream = await probe.grown();
      const midStatus = await status(drive);
      await drive({ op: "stream", times: whole - (whole >> 1), last: HUGE_PAYLOAD - whole * MiB });
      const allocated = await drive({ op: "count" });
      const after = await probe.grown();
      const written = await drive({ op: "take" });
      await drive({ op: "send", hex: "3009 0005 736d616c6c 6f6b" }); // "small" "ok"
      return { midStream, after, midConnected: midStatus.connected, allocated, written, end: await status(drive) };
    };
    const baseline = await lab.heap();
    const xs = await script(onXs, xsProbe());
    const node = await script(onNode);
    figures.push(`  3.1.1 268 MB skipped in 1 MiB chunks: ${signed(xs.midStream)} mid-stream (128 MiB in), ${signed(xs.after)} after`);
    expect({ ...xs, midStream: undefined, after: undefined }).toEqual(node);
    expect(xs.midConnected).toBe(true);
    expect(xs.allocated).toEqual({ total: 0, largest: 0 });
    expect(xs.written).toEqual(["40020007"]);
    expect(xs.end).toMatchObject({ connected: true, skipped: 1, delivered: 1, disconnects: [], errors: [
      { code: "too-large", message: `skipped a message of ${ANNOUNCED_PACKET} bytes on "big": this client takes at most ${MAX_PACKET}` },
    ] });
    // Measured from the connected client with the harness's 1 MiB chunk made: the client may hold at
    // most one packet of maxPacketSize on top. A client that buffered would hold 128 MiB mid-stream.
    expect(xs.midStream).toBeLessThanOrEqual(MAX_PACKET);
    expect(xs.after).toBeLessThanOrEqual(MAX_PACKET);
    await onXs({ op: "drop" });
    const dropped = (await lab.heap()).boardBytes - baseline.boardBytes;
    figures.push(`  3.1.1 268 MB: ${signed(dropped)} once the client and the chunk are dropped`);
    expect(dropped).toBeLessThanOrEqual(MAX_PACKET);
  });

  test("3.1.1: a 268 MB PUBLISH that stops after 8 MiB: dead at keepalive + ping timeout (15 s), heap within budget, reconnect after the backoff", async () => {
    const script = async (drive: Drive, probe = NO_PROBE) => {
      const connect = await online(drive, 4);
      await drive({ op: "chunk", size: 64 << 10, fill: 0 });
      await probe.mark();
      await drive({ op: "send", hex: HUGE_HEAD });
      let pingAt = -1;
      let deadAt = -1;
      for (let step = 0; step < 40 && deadAt < 0; step++) {
        if (step < 16) await drive({ op: "stream", times: 8 }); // 8 MiB in 8 s, then nothing
        await drive({ op: "advance", ms: 500 });
        if (pingAt < 0 && ((await drive({ op: "take" })) as string[]).includes("c000")) pingAt = (await status(drive)).now;
        const now = await status(drive);
        if (now.disconnects.length > 0) deadAt = now.now;
      }
      const held = await probe.grown();
      const allocated = await drive({ op: "count" });
      return { connect, pingAt, deadAt, held, allocated, after: await status(drive), reconnect: await reconnect(drive) };
    };
    const xs = await script(onXs, xsProbe());
    figures.push(`  3.1.1 268 MB stopped after 8 MiB: ${signed(xs.held)} once the link is dead`);
    expect({ ...xs, held: undefined }).toEqual(await script(onNode));
    expect(xs.pingAt).toBe(10_000);
    expect(xs.deadAt).toBe(15_000);
    expect(xs.allocated).toEqual({ total: 0, largest: 0 });
    expect(xs.after.disconnects).toEqual([{ code: "keepalive", message: "link dead: no answer to PINGREQ within 5000 ms" }]);
    expect(xs.reconnect).toEqual({ wait: FIRST_RETRY, waitingBefore: true, sameConnect: [xs.connect] });
    expect(xs.held).toBeLessThanOrEqual(MAX_PACKET);
    await onXs({ op: "drop" });
  });

  test.each([
    ["a remaining length of 5 bytes", 5, "30ffffffff7f", 0x81, "remaining length exceeds 4 bytes"],
    ["a remaining length of 5 bytes", 4, "30ffffffff7f", 0x81, "remaining length exceeds 4 bytes"],
    ["PUBACK with reserved flag bits set", 5, "4302000100", 0x81, "PUBACK must have header flags 0000"],
    ["a PUBLISH with QoS 3", 5, "3608000174 0001 0078", 0x81, "PUBLISH has both QoS bits set"],
    ["a PUBLISH topic that is not UTF-8", 5, "3006 0002 c328 00 78", 0x81, "topic is not valid UTF-8 or contains U+0000"],
    ["a PUBLISH topic that is not UTF-8", 4, "3005 0002 c328 78", 0x81, "topic is not valid UTF-8 or contains U+0000"],
    ["a QoS 1 PUBLISH with packet id 0", 5, "3207 0001 74 0000 00 78", 0x82, "PUBLISH packet identifier is 0"],
    ["a PUBLISH whose property length stops mid-varint", 5, "3004 0001 74 80", 0x81, "packet ends inside the property length"],
    ["a PUBACK whose properties run past the packet", 5, "4005 0001 00 05 1f", 0x81, "properties run past the end of the packet"],
  ] as const)("malformed: %s on MQTT %i closes with its reason (DISCONNECT on 5), a sentence, and a reconnect after the backoff", async (_what, version, hex, code, detail) => {
    const xs = await badPacket(onXs, version, hex);
    expect(xs).toEqual(await badPacket(onNode, version, hex));
    expectClosedWith(xs, version === 5 ? [disconnect(code)] : [], { code: "protocol", reasonCode: code, message: `the broker sent a bad packet: ${detail}` });
  });

  test.each([
    ["a CONNECT (level 4)", 5, CONNECT_FROM_BROKER_V4, "CONNECT"],
    ["a CONNECT (level 5)", 5, CONNECT_FROM_BROKER_V5, "CONNECT"],
    ["a CONNECT (level 4)", 4, CONNECT_FROM_BROKER_V4, "CONNECT"],
    ["a SUBSCRIBE", 5, "820700010000017400", "SUBSCRIBE"],
    ["an UNSUBSCRIBE", 5, "a206000100000174", "UNSUBSCRIBE"],
    ["a PINGREQ", 5, "c000", "PINGREQ"],
    ["a second CONNACK", 4, CONNACK_V4, "CONNACK"],
  ] as const)("illegal for a client: %s from the broker on MQTT %i closes with 0x82 (DISCONNECT on 5) and a reconnect after the backoff", async (_what, version, hex, name) => {
    const xs = await badPacket(onXs, version, hex);
    expect(xs).toEqual(await badPacket(onNode, version, hex));
    expectClosedWith(xs, version === 5 ? [disconnect(0x82)] : [], { code: "protocol", reasonCode: 0x82, message: `the broker sent an unexpected ${name}` });
  });

  test.each([5, 4] as const)("MQTT %i: a flood of QoS 2 PUBLISHes never released: 64 acknowledged, the 65th closes (DISCONNECT 0x93 on 5); heap within budget; reconnect after the backoff", async (version) => {
    const script = async (drive: Drive, probe = NO_PROBE) => {
      const connect = await online(drive, version);
      await drive({ op: "subscribe", filter: "t", qos: 2 });
      await drive({ op: "send", hex: version === 5 ? "900400010002" : "9003000102" });
      await drive({ op: "take" });
      await probe.mark();
      await drive({ op: "batch", steps: Array.from({ length: 64 }, (_, i) => ({ op: "send", hex: qos2(i + 1, version) })) });
      const acknowledged = await drive({ op: "take" });
      const held = await probe.grown(); // 64 ids awaiting release
      // The flood goes on: 200 more in one read. The 65th closes the link; the rest are never handled.
      await drive({ op: "send", hex: Array.from({ length: 200 }, (_, i) => qos2(65 + i, version)).join("") });
      const written = await drive({ op: "take" });
      return { connect, acknowledged, held, written, after: await status(drive), reconnect: await reconnect(drive) };
    };
    const xs = await script(onXs, xsProbe());
    figures.push(`  MQTT ${version} QoS 2 flood: ${signed(xs.held)} with 64 messages awaiting release`);
    expect({ ...xs, held: undefined }).toEqual(await script(onNode));
    expect(xs.acknowledged).toEqual(Array.from({ length: 64 }, (_, i) => `5002${hex2(i + 1)}`));
    expect(xs.written).toEqual(version === 5 ? [disconnect(0x93)] : []);
    expect(xs.after).toMatchObject({
      connected: false,
      delivered: 64,
      received: 65,
      disconnects: [{ code: "protocol", reasonCode: 0x93, message: "the broker sent more than 64 QoS 2 messages awaiting release: receive maximum exceeded" }],
    });
    expect(xs.reconnect).toEqual({ wait: FIRST_RETRY, waitingBefore: true, sameConnect: [xs.connect] });
    // 64 ids in a Set and the harness's 64 recorded PUBRECs: well under one maxPacketSize.
    expect(xs.held).toBeLessThanOrEqual(MAX_PACKET);
    await onXs({ op: "drop" });
  });

  test("a broker that sends a 268 MB announcement after every CONNACK meets a growing wait in XS, as on Node", async () => {
    const script = async (drive: Drive) => {
      await online(drive, 5);
      const waits: Array<number | null> = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) {
          await drive({ op: "send", hex: CONNACK_V5 });
          await drive({ op: "take" });
        }
        await drive({ op: "send", hex: "30ffffff7f" });
        const { wait, waitingBefore } = await reconnect(drive);
        waits.push(waitingBefore ? wait : null);
      }
      return waits;
    };
    const xs = await script(onXs);
    expect(xs).toEqual(await script(onNode));
    expect(xs).toEqual([FIRST_RETRY, 1500, 2500, 4500, 8500]);
  });
});
