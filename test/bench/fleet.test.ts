// The fleet tool (npm run fleet) as a process: a handful of devices against its own Mosquitto,
// killed and restarted twice (jitter on, then off): every device comes back and the tables have
// their rows. Against an external broker the storm phase is skipped with a sentence; on the XS
// engine each device reports its live heap. Loopback only.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { parseFleetArgs } from "../../bench/fleet/args.js";
import { countBetween, peakPerWindow, percentile } from "../../bench/fleet/stats.js";
import { findMosquitto, startMosquitto } from "../support/mosquitto.js";

const ROOT = resolve(__dirname, "..", "..");

function runFleet(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "tools/run.mjs", "bench/fleet.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (data: Buffer) => (out += data.toString()));
    child.stderr.on("data", (data: Buffer) => (out += data.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fleet did not finish within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

/** The cells of the table row whose first cell starts with `label`. */
function row(out: string, label: string): string[] {
  const line = out.split("\n").find((text) => text.startsWith(`| ${label}`));
  if (!line) throw new Error(`no row "${label}" in:\n${out}`);
  return line.split("|").slice(1, -1).map((cell) => cell.trim());
}

beforeAll(() => {
  // Fails here, with the install hint, when Mosquitto is missing.
  findMosquitto();
});

test("five devices on their own Mosquitto: all online, commands reach the pins, all back after each of two broker restarts", async () => {
  const { code, out } = await runFleet(["--devices", "5", "--duration", "3", "--down", "1", "--commands", "20", "--timeout", "15"], 50_000);
  expect({ code, out }).toMatchObject({ code: 0 });
  expect(row(out, "devices")[1]).toMatch(/^5 \(node engine/);
  expect(row(out, "all N online after")[1]).toMatch(/^\d+\.\d+ s$/);
  expect(row(out, "command-to-pin latency")[0]).toMatch(/\(20 of 20 toggles/);
  expect(row(out, "command-to-pin latency")[1]).toMatch(/^\d+\.\d ms \/ \d+\.\d ms$/);
  expect(row(out, "messages/s at a subscriber")[1]).toMatch(/^[1-9]\d*$/);
  expect(row(out, "V8 heapUsed per device")[1]).toMatch(/KB$/);
  expect(row(out, "reconnect storm")).toEqual([expect.stringMatching(/down 1 s/), "jitter on (firmware backoff)", "jitter off (fixed 0.5 s)"]);
  expect(row(out, "devices that saw the link drop")).toEqual(["devices that saw the link drop", "5", "5"]);
  const back = row(out, "all N online again");
  expect(back.slice(1)).toEqual([expect.stringMatching(/^\d+\.\d+ s$/), expect.stringMatching(/^\d+\.\d+ s$/)]);
  // Counted again at the broker, in its own log: every device's CONNECT after each restart.
  const logged = row(out, "CONNECTs the broker logged").slice(1).map(Number);
  expect(logged.every((count) => count >= 5)).toBe(true);
  const [, on, off] = row(out, "peak connection attempts/s").map(Number);
  expect(on).toBeGreaterThanOrEqual(5);
  // Jitter off: every device retries every 0.5 s while the broker is down, 2 a second each.
  expect(off).toBeGreaterThanOrEqual(10);
}, 60_000);

test("against a broker it did not start, the tool runs the devices and skips the storm with a sentence", async () => {
  const broker = await startMosquitto();
  try {
    const { code, out } = await runFleet(["--devices", "2", "--duration", "1", "--commands", "4", "--broker", broker.url, "--timeout", "15"], 30_000);
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(row(out, "devices")[1]).toMatch(/^2 /);
    expect(out).toContain("Storm phase skipped: the broker");
    expect(out).not.toContain("| reconnect storm");
  } finally {
    await broker.stop();
  }
}, 40_000);

test("on the XS engine: each device in its own xsnap machine, with its live heap per device", async () => {
  const { code, out } = await runFleet(["--engine", "xs", "--devices", "2", "--duration", "2", "--commands", "6", "--no-storm", "--timeout", "20"], 45_000);
  expect({ code, out }).toMatchObject({ code: 0 });
  expect(row(out, "devices")[1]).toMatch(/^2 \(xs engine/);
  expect(row(out, "command-to-pin latency")[0]).toMatch(/\(6 of 6 toggles/);
  expect(row(out, "XS live heap per device")[1]).toMatch(/^[\d,]+ B \(min/);
  expect(row(out, "  of which the running app")[1]).toMatch(/^[\d,]+ B/);
  expect(out).toContain("Storm phase skipped (--no-storm).");
}, 50_000);

test("flags: defaults, bounds, and the engine", () => {
  expect(parseFleetArgs([])).toMatchObject({ ok: true, options: { devices: 100, engine: "node", duration: 20, storm: true, broker: undefined } });
  expect(parseFleetArgs(["--devices=1000", "--engine", "xs", "--no-storm"])).toMatchObject({ ok: true, options: { devices: 1000, engine: "xs", storm: false } });
  expect(parseFleetArgs(["--devices", "0"])).toEqual({ ok: false, error: "--devices wants a number from 1 to 100000" });
  expect(parseFleetArgs(["--broker", "127.0.0.1"])).toMatchObject({ ok: false });
  expect(parseFleetArgs(["--frobnicate"])).toEqual({ ok: false, error: "unknown flag --frobnicate" });
});

test("figures: nearest-rank percentiles and the busiest one-second window", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  expect([percentile(values, 0.5), percentile(values, 0.99), percentile([], 0.5)]).toEqual([50, 99, NaN]);
  const times = [0, 100, 200, 999, 1000, 1500, 1600, 3000];
  expect(peakPerWindow(times, 0, 5000)).toBe(4);
  expect(peakPerWindow(times, 1000, 5000)).toBe(3);
  expect(countBetween(times, 100, 1500)).toBe(5);
});
