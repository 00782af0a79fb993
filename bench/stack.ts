// `npm run bench:stack`: the least XS stack, in slots, that the firmware needs for each kind of
// input, found by bisection on the XS engine's --stack (simulator/xs/stack.ts) against a real
// Mosquitto. The board has 384; the margin is what a change may spend. Counts, not seconds.
import mqtt from "mqtt";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDevice } from "../test/support/device-process.js";
import { startMosquitto } from "../test/support/mosquitto.js";

const INPUTS: Array<[name: string, topic: string | undefined, payload: string]> = [
  ["connect (birth, state, discovery)", undefined, ""],
  ["lamp command", "lamp", "on"],
  ["refusal: JSON nested 95 deep", "lamp", `{"state":${"[".repeat(95)}${"]".repeat(95)}}`],
  ["refusal: 1 KB bell pattern", "bell", JSON.stringify({ pattern: Array.from({ length: 250 }, () => 100) })],
  ["refusal: 85 multibyte characters", "lamp", "€".repeat(85)],
  ["refusal: config of 58 unknown keys", "config", JSON.stringify(Object.fromEntries(Array.from({ length: 58 }, (_, i) => [`k${i}`, i])))],
  ["live config change", "config", '{"sensorDeadband":2}'],
  ["bell ring", "bell", '{"pattern":[10,10,10]}'],
  ["relay command", "relay", "on"],
];

const broker = await startMosquitto();
const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
let runs = 0;

async function survives(slots: number, topic: string | undefined, payload: string): Promise<boolean> {
  const prefix = `stack/${++runs}`;
  const store = mkdtempSync(join(tmpdir(), "bench-stack-"));
  const device = await spawnDevice({ engine: "xs", broker: broker.url, store, flags: ["--stack", String(slots)], config: { deviceId: `stack${runs}`, prefix } });
  try {
    await device.waitFor((e) => e.type === "connected", "connected", 5000);
    if (topic) await peer.publishAsync(`${prefix}/${topic}`, payload, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    return !device.events.some((e) => e.type === "error");
  } catch {
    return false;
  } finally {
    await device.kill();
    rmSync(store, { recursive: true, force: true });
  }
}

try {
  console.log("least XS stack the firmware needs, in slots (the board has 384)");
  for (const [name, topic, payload] of INPUTS) {
    let low = 160;
    let high = 512;
    if (!(await survives(high, topic, payload))) {
      console.log(`  ${name.padEnd(36)} more than ${high}`);
      continue;
    }
    while (high - low > 2) {
      const middle = (low + high) >> 1;
      if (await survives(middle, topic, payload)) high = middle;
      else low = middle;
    }
    console.log(`  ${name.padEnd(36)} ${String(high).padStart(4)}`);
  }
} finally {
  await peer.endAsync();
  await broker.stop();
}
