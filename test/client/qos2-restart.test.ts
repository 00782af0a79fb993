// QoS 2 exactly once across a process killed between PUBREL and PUBCOMP [MQTT-4.3.3-1]: the
// publisher, a process of its own over a file store, is killed with SIGKILL while a proxy holds
// the broker's PUBCOMP back; restarted over the same store it must release the message with PUBREL,
// never send the PUBLISH again. A subscriber on the real Mosquitto counts every message.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { startProxy, type Proxy } from "../support/proxy.js";
import { sleep, until } from "./live.js";

const ROOT = resolve(__dirname, "..", "..");
const PUBCOMP = 7;

let mosquitto: Mosquitto;
let proxy: Proxy;
/** When set, the PUBCOMP that makes this count is held, and everything after it on that link. */
let holdAt = Infinity;
let pubcomps = 0;
let holding = false;

beforeAll(async () => {
  mosquitto = await startMosquitto({ persistence: true });
  proxy = await startProxy(mosquitto.port, "127.0.0.1", {
    filter(direction, packet) {
      if (direction === "up" || holding) return !holding;
      if (packet[0] >> 4 === PUBCOMP && ++pubcomps >= holdAt) holding = true;
      return !holding;
    },
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await mosquitto?.stop();
}, 60_000);

interface Publisher {
  child: ChildProcess;
  lines: Array<{ type: string; message?: string }>;
}

function publisher(args: string[]): Publisher {
  const child = spawn(process.execPath, [join(ROOT, "tools", "run.mjs"), join("test", "support", "qos2-publisher.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Publisher["lines"] = [];
  let pending = "";
  child.stdout?.on("data", (data: Buffer) => {
    const parts = (pending + data.toString()).split("\n");
    pending = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  return { child, lines };
}

async function kill(p: Publisher): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGKILL");
  await gone;
}

test.each([5, 4])("MQTT %i: killed between PUBREL and PUBCOMP three times, 60 QoS 2 messages arrive exactly once", async (version) => {
  const TOTAL = 60;
  const topic = `q2kill/${process.pid}/v${version}`;
  const store = mkdtempSync(join(tmpdir(), "qos2-kill-"));
  const subscriber = await mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 0 });
  const seen = new Map<string, number>();
  subscriber.on("message", (_t, payload) => seen.set(payload.toString(), (seen.get(payload.toString()) ?? 0) + 1));
  await subscriber.subscribeAsync(topic, { qos: 2 });
  const running: Publisher[] = [];
  try {
    const base = ["--broker", proxy.url, "--store", store, "--client-id", `q2kill${version}-${process.pid}`, "--version", String(version), "--topic", topic];
    // Each run is killed at the n-th PUBCOMP it would have received: the message is released, not completed.
    for (const [run, at] of [[0, 10], [1, 12], [2, 12]]) {
      pubcomps = 0;
      holding = false;
      holdAt = at;
      const p = publisher(run === 0 ? [...base, "--publish", String(TOTAL)] : base);
      running.push(p);
      await until(() => holding, 15_000, `run ${run}: a PUBCOMP to hold`);
      await kill(p);
      proxy.cut();
      expect(p.lines.filter((l) => l.type === "error")).toEqual([]);
    }
    holdAt = Infinity;
    holding = false;
    const last = publisher(base);
    running.push(last);
    await until(() => last.lines.some((l) => l.type === "idle"), 15_000, "the last run to empty its outbox");
    await until(() => seen.size === TOTAL, 5000, `all ${TOTAL} messages at the subscriber (have ${seen.size})`);
    await sleep(300); // a duplicate, if any, would be on its way
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    expect({ received: seen.size, duplicates }).toEqual({ received: TOTAL, duplicates: 0 });
    expect(last.lines.filter((l) => l.type === "error")).toEqual([]);
  } finally {
    for (const p of running) await kill(p);
    await subscriber.endAsync();
    rmSync(store, { recursive: true, force: true });
  }
}, 60_000);
