// A board's XS stack inside xsnap. xsnap gives XS 4096 slots of stack; the ESP8266 manifest and the
// Moddable simulator give 384. To run the firmware with no more than a board would have, every
// command into XS runs beneath padding frames (channel.ts) that use up the difference.
//
// How many: the deepest padding that still runs a bare handler (light), and the deepest that runs a
// handler with HEAVY_LOCALS more locals (heavy), found by bisection on fresh workers (an overflow
// ends an xsnap worker). XS reserves one slot per local, so a padding frame holds
// HEAVY_LOCALS / (light - heavy) slots, and leaving `slots` free means light - slots / that.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { bundleForXs } from "./bundle.js";
import { startWorker } from "./worker.js";

/** The XS stack of the ESP8266 build (manifest.json) and of the Moddable simulator, in slots. */
export const BOARD_STACK_SLOTS = 384;

const HEAVY_LOCALS = 512;
const XSNAP_STACK_SLOTS = 4096;

interface Calibration {
  xsnap: string;
  light: number;
  heavy: number;
}

let calibration: Promise<Calibration> | undefined;

/** How many padding frames leave `slots` of stack to the firmware (0 for no padding). */
export async function stackPadFor(slots: number): Promise<number> {
  if (slots <= 0) return 0;
  const { light, heavy } = await (calibration ??= calibrate());
  const perFrame = HEAVY_LOCALS / (light - heavy);
  return Math.max(0, light - Math.ceil(slots / perFrame));
}

/** Measured once per xsnap build and kept in build/xs/ (never committed). */
async function calibrate(): Promise<Calibration> {
  const xsnap = (JSON.parse(readFileSync(resolve("node_modules", "@agoric", "xsnap", "package.json"), "utf8")) as { version: string }).version;
  const file = resolve("build", "xs", "stack-calibration.json");
  try {
    const kept = JSON.parse(readFileSync(file, "utf8")) as Calibration;
    if (kept.xsnap === xsnap && kept.light > kept.heavy && kept.heavy > 0) return kept;
  } catch {
    // None yet, or unreadable: measure.
  }
  const probe = await bundleForXs("simulator/xs/stack-probe.ts");
  const light = await deepest(probe.code, 0);
  const heavy = await deepest(probe.code, 1);
  if (!(light > heavy && heavy > 0)) throw new Error(`stack calibration failed: light ${light}, heavy ${heavy} padding frames`);
  const result = { xsnap, light, heavy };
  mkdirSync(resolve("build", "xs"), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(result));
  renameSync(temporary, file);
  return result;
}

/** The most padding frames under which the probe's leaf `op` still runs. */
async function deepest(code: string, op: number): Promise<number> {
  let low = 0;
  let high = XSNAP_STACK_SLOTS;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (await runs(code, op, middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

const HEAVY_LEAF = `globalThis.heavyLeaf = function () { ${Array.from({ length: HEAVY_LOCALS }, (_, i) => `let a${i} = ${i};`).join(" ")} return ${Array.from({ length: HEAVY_LOCALS }, (_, i) => `a${i}`).join(" + ")}; };`;

async function runs(code: string, op: number, pad: number): Promise<boolean> {
  const worker = await startWorker({ name: "xs-stack-probe", handle: () => new Uint8Array(0) });
  try {
    await worker.evaluate(`globalThis.xsStackPad = ${pad}; ${HEAVY_LEAF}`);
    await worker.evaluate(code);
    await worker.send(Uint8Array.of(op));
    return true;
  } catch {
    return false;
  } finally {
    await worker.kill().catch(() => undefined);
  }
}
