// The README's worked example, "Add your own device", done as a newcomer would do it: its code
// blocks are taken from README.md and added to a copy of the project (one new file; in
// src/devices.ts one import and one table line), which must compile under the firmware's strict
// settings and run the new motion sensor end to end against Mosquitto on both engines.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnDevice, type DeviceProcess, type Engine } from "../support/device-process.js";
import { isConnected, peer, until, type Peer } from "../support/e2e.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const ROOT = resolve(__dirname, "..", "..");

/** The README's code blocks marked ```ts file=PATH, in order. */
function exampleBlocks(readme: string): { file: string; code: string }[] {
  return [...readme.matchAll(/^```ts file=(\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ file: m[1], code: m[2] }));
}

/** The table with the block's imports after its last import and its other lines before the table's end. */
function addToTable(table: string, block: string): string {
  const lines = table.split("\n");
  const added = block.split("\n").filter((line) => line.trim() !== "");
  const imports = added.filter((line) => line.startsWith("import "));
  const entries = added.filter((line) => !line.startsWith("import "));
  const lastImport = lines.map((line) => line.startsWith("import ")).lastIndexOf(true);
  lines.splice(lastImport + 1, 0, ...imports);
  const end = lines.findIndex((line) => line.startsWith("]);"));
  if (end < 0) throw new Error("src/devices.ts has no ]); ending its table");
  lines.splice(end, 0, ...entries);
  return lines.join("\n");
}

const blocks = exampleBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "own-device-"));
  for (const path of ["src", "hosts", "simulator", "tools", "package.json", "tsconfig.json", "tsconfig.base.json"]) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  for (const { file, code } of blocks) {
    const path = join(copy, file);
    writeFileSync(path, file === "src/devices.ts" ? addToTable(readFileSync(path, "utf8"), code) : code);
  }
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("the README's own device, added to a copy of the project", () => {
  test("is one new file and, in src/devices.ts, one import and one table line", () => {
    expect(blocks.map((b) => b.file)).toEqual(["src/entities/motion.ts", "src/devices.ts"]);
    const before = readFileSync(join(ROOT, "src/devices.ts"), "utf8").split("\n");
    const after = readFileSync(join(copy, "src/devices.ts"), "utf8").split("\n");
    const added = after.filter((line) => !before.includes(line));
    expect(added).toEqual(['import { motion } from "./entities/motion.js";', '  device(motion, "motion"),']);
    expect(before.every((line) => after.includes(line))).toBe(true);
  });

  test("compiles under the firmware's strict settings", () => {
    const tsc = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "src/tsconfig.json"], { cwd: copy, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});

describe.each<Engine>(["node", "xs"])("the README's motion sensor on the %s engine against Mosquitto", (engine) => {
  let broker: Mosquitto;
  let device: DeviceProcess | undefined;
  let observer: Peer | undefined;
  let store: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    store = mkdtempSync(join(tmpdir(), "own-device-store-"));
  });
  afterAll(async () => {
    observer?.client.end(true);
    await device?.kill();
    await broker.stop();
    rmSync(store, { recursive: true, force: true });
  });

  test("publishes its input's edges as on and off, retained, with a motion sensor in discovery", async () => {
    const id = `motion-${engine}`;
    const prefix = `own/${id}`;
    device = await spawnDevice({ engine, root: copy, broker: broker.url, store, config: { deviceId: id, prefix, discoveryPrefix: "ha", motionPin: 13 } });
    await device.waitFor(isConnected, "connected");
    observer = await peer(broker.url, [`${prefix}/motion`, `ha/binary_sensor/${id}/motion/config`]);
    const states = () => observer!.on(`${prefix}/motion`).map((m) => `${m.text}${m.retain ? " (retained)" : ""}`);
    await until("the retained state at connect", () => states().length > 0);
    device.send({ type: "input", name: "motion", value: 1 });
    device.send({ type: "input", name: "motion", value: 0 });
    await until("on, then off", () => states().length >= 3);
    expect(states()).toEqual(["off (retained)", "on", "off"]);
    const [config] = observer.on(`ha/binary_sensor/${id}/motion/config`).map((m) => JSON.parse(m.text));
    expect(config).toMatchObject({ "~": prefix, stat_t: "~/motion", dev_cla: "motion", pl_on: "on", pl_off: "off", uniq_id: `${id}_motion`, avty_t: "~/status" });
    expect(device.events).toContainEqual(expect.objectContaining({ type: "input", name: "motion", value: 1 }));
  });
});
