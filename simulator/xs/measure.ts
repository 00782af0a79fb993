// Measures the firmware in XS against a real broker: compute (xsnap's meter) and live heap per step,
// for the bench (bench/xs.ts prints it) and the budget tests (test/xs/budget.test.ts assert it).
// Run it as `node simulator/xs/run.mjs --measure --broker=mqtt://127.0.0.1:PORT`: one JSON report.
import mqtt from "mqtt";
import { createServer, type AddressInfo } from "node:net";
import { DEVICES } from "../../src/devices.js";
import { startBoard, type Board } from "./board.js";
import { bundleForXs } from "./bundle.js";
import { ToXs, frame } from "./protocol.js";
import { startWorker, type HeapFigures } from "./worker.js";

export interface Step {
  step: string;
  /** XS compute units for the step (every crank it took, PUBACK included where awaited). */
  compute: number;
  /** Live heap after the step, after a forced GC. */
  heap: HeapFigures;
}

export interface Report {
  bundleBytes: number;
  bundleMinifiedBytes: number;
  /**
   * Live heap once the bundle is evaluated and the host made, before the app starts (on a board the
   * modules are preloaded in flash and the host is the board's own).
   */
  baseline: HeapFigures;
  steps: Step[];
  /** Board estimate of what the running app holds (heap after boot and a command, minus baseline), outbox arena excluded. */
  app: { boardBytes: number; outboxBytes: number; withoutOutbox: number };
  /** Heap change across 10,000 QoS 0 publishes after 1,000 of warm-up. */
  growth: { slots: number; chunkBytes: number };
  /** What each part of the app holds once built, on a host that never connects (board estimate). */
  parts: Array<{ part: string } & HeapFigures>;
  /** The outbox offline: QoS 1 publishes until refused. */
  offline: { budget: number; queuedAtBoot: number; accepted: number; refused: number; bytes: number; messages: number };
}

const OUTBOX_BYTES = 4096;
const BURST = 10_000;
const OFFLINE_BUDGET = 2048;

interface OutboxView {
  bytes: number;
  messages: number;
  inflight: number;
}

/** Runs every step and returns the report; events (pins, logs) are ignored, failures reject. */
export async function measure(broker: string): Promise<Report> {
  let failure: Error | undefined;
  let connected = false;
  let lampChanges = 0;
  const board = await startBoard({
    clock: "real",
    emit: (event) => {
      if (event.type === "connected") connected = true;
      if (event.type === "pin" && event.name === "lamp") lampChanges++;
    },
    fail: (error) => (failure = error),
  });
  const check = (): void => {
    if (failure) throw failure;
  };
  const baseline = await board.worker.heap();
  const steps: Step[] = [];
  const step = async (name: string, work: () => Promise<void>): Promise<Step> => {
    const before = board.worker.compute;
    await work();
    check();
    const result = { step: name, compute: board.worker.compute - before, heap: await board.worker.heap() };
    steps.push(result);
    return result;
  };

  await step("boot (start, CONNACK, birth, discovery, acknowledged)", async () => {
    const errors = await board.start({ broker, deviceId: "xs-measure", outboxBytes: OUTBOX_BYTES });
    if (errors.length > 0) throw new Error(`config refused: ${errors.join(" ")}`);
    await until(() => connected, "the connection", check);
    await drained(board, check);
  });
  // A received command is part of the running app: the decoder's and the handler's allocations count.
  const running = await step("one lamp command received (until the pin changes)", async () => {
    const peer = await mqtt.connectAsync(broker, { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const before = lampChanges;
      await peer.publishAsync("home/office/lamp", "toggle", { qos: 1 });
      await until(() => lampChanges > before, "the lamp pin", check);
      await drained(board, check);
    } finally {
      await peer.endAsync();
    }
  });
  await step("one QoS 0 publish", async () => void (await publish(board, 1, 0)));
  await step("one QoS 1 publish, until PUBACK", async () => {
    await publish(board, 1, 1);
    await drained(board, check);
  });
  await publish(board, 1000, 0);
  const warm = await board.worker.heap();
  const burst = await step(`${BURST} QoS 0 publishes`, async () => {
    for (let sent = 0; sent < BURST; sent += 1000) await publish(board, 1000, 0);
  });
  await board.stop();
  await board.close();
  const offline = await fillOutbox();
  const parts = await breakdown();

  const minified = await bundleForXs("simulator/xs/device.ts", { minify: true });
  const appBytes = running.heap.boardBytes - baseline.boardBytes;
  return {
    bundleBytes: board.bundle.bytes,
    bundleMinifiedBytes: minified.bytes,
    baseline,
    steps,
    app: { boardBytes: appBytes, outboxBytes: OUTBOX_BYTES, withoutOutbox: appBytes - OUTBOX_BYTES },
    growth: { slots: burst.heap.slots - warm.slots, chunkBytes: burst.heap.chunkBytes - warm.chunkBytes },
    offline,
    parts,
  };
}

const PARTS: readonly string[] = ["outbox", "client", "context", ...DEVICES.map((line) => line.name), "health", "settings"];

/** Builds the app's parts one by one in a fresh machine (simulator/xs/footprint.ts), heap after each. */
async function breakdown(): Promise<Report["parts"]> {
  const bundle = await bundleForXs("simulator/xs/footprint.ts");
  const worker = await startWorker({ name: "xs-footprint", handle: () => new Uint8Array(0), bundle: () => bundle.code });
  const encoder = new TextEncoder();
  try {
    await worker.evaluate(bundle.code);
    await worker.send(encoder.encode("host"));
    const parts: Report["parts"] = [];
    let before = await worker.heap();
    for (const part of PARTS) {
      await worker.send(encoder.encode(part));
      const after = await worker.heap();
      parts.push({
        part,
        slots: after.slots - before.slots,
        chunkBytes: after.chunkBytes - before.chunkBytes,
        boardBytes: after.boardBytes - before.boardBytes,
      });
      before = after;
    }
    return parts;
  } finally {
    await worker.close();
  }
}

/**
 * With the broker unreachable, publishes QoS 1 readings until the outbox refuses them: the outbox
 * must hold what fits in its byte budget, refuse the rest, and never pass the budget.
 */
async function fillOutbox(): Promise<Report["offline"]> {
  let failure: Error | undefined;
  const board = await startBoard({ clock: "virtual", emit: () => undefined, fail: (error) => (failure = error) });
  const unreachable = `mqtt://127.0.0.1:${await closedPort()}`;
  const errors = await board.start({ broker: unreachable, deviceId: "xs-offline", outboxBytes: OFFLINE_BUDGET, discovery: false });
  if (errors.length > 0) throw new Error(`config refused: ${errors.join(" ")}`);
  const before = await outbox(board);
  const { accepted, refused } = await publish(board, 200, 1);
  const after = await outbox(board);
  await board.close();
  if (failure) throw failure;
  return { budget: OFFLINE_BUDGET, queuedAtBoot: before.messages, accepted, refused, bytes: after.bytes, messages: after.messages };
}

/** Publishes from the client in XS; resolves with how many it accepted and refused. */
async function publish(board: Board, count: number, qos: number): Promise<{ accepted: number; refused: number }> {
  const reply = await board.send(frame(ToXs.publish, count, qos));
  await board.settle();
  return JSON.parse(new TextDecoder().decode(reply)) as { accepted: number; refused: number };
}

/** The client's outbox, from its stats() (which spread the outbox's own) as the XS side reports them. */
async function outbox(board: Board): Promise<OutboxView> {
  return JSON.parse(new TextDecoder().decode(await board.send(frame(ToXs.stats)))) as OutboxView;
}

async function drained(board: Board, check: () => void): Promise<void> {
  await until(async () => {
    const { messages, inflight } = await outbox(board);
    return messages === 0 && inflight === 0;
  }, "the outbox to drain", check);
}

/** A loopback port that was free a moment ago and has nobody listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, check: () => void): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    check();
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
