// The button end to end on both engines against Mosquitto: it hears edges timed on the virtual
// clock and says press, long and double, never bounce, and never retained.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDevice, type DeviceOptions, type DeviceProcess, type Engine } from "../support/device-process.js";
import { isConnected, peer, until, type Peer } from "../support/e2e.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("button on the %s engine against Mosquitto", (engine) => {
  let broker: Mosquitto;
  let dirs: string[] = [];
  let devices: DeviceProcess[] = [];
  let peers: Peer[] = [];
  let n = 0;

  async function device(options: Partial<DeviceOptions> = {}) {
    const id = `btn-${engine}-${++n}`;
    const store = mkdtempSync(join(tmpdir(), "btn-store-"));
    dirs.push(store);
    const proc = await spawnDevice({ engine, broker: broker.url, store, ...options, config: { deviceId: id, prefix: `btn/${id}`, discovery: false, ...options.config } });
    devices.push(proc);
    await proc.waitFor(isConnected, "connected");
    return { proc, prefix: `btn/${id}` };
  }

  async function observer(filters: string[]) {
    const p = await peer(broker.url, filters);
    peers.push(p);
    return p;
  }

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    for (const p of peers) p.client.end(true);
    for (const d of devices) await d.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    peers = [];
    devices = [];
    dirs = [];
  });

  test("button edges timed on the virtual clock: a press, a long press, a double press; bounce says nothing", async () => {
    const { proc, prefix } = await device({ clock: "virtual" });
    const obs = await observer([`${prefix}/button`]);
    // Active low: 0 is pressed. Debounce 30 ms, long 800 ms, double within 300 ms (the defaults).
    const edges = (...steps: Array<number | string>) => {
      for (const step of steps) proc.send(typeof step === "number" ? { type: "advance", ms: step } : { type: "input", name: "button", value: Number(step) });
    };
    edges("0", 5, "1", 5, "0", 5, "1", 500); // bounce: edges 5 ms apart, back at rest
    edges("0", 120, "1", 500); // a press
    edges("0", 900, "1", 500); // a long press, said while held
    edges("0", 80, "1", 100, "0", 80, "1", 500); // a double press
    proc.send({ type: "press", name: "button", ms: 60 }); // the simulator's own press: 60 ms down
    proc.send({ type: "advance", ms: 500 });
    await until("four events", () => obs.received.length >= 4);
    expect(obs.received.map((m) => [m.text, m.retain])).toEqual([
      ["press", false],
      ["long", false],
      ["double", false],
      ["press", false],
    ]);
    // Events are not retained: a late subscriber hears nothing.
    const late = await observer([`${prefix}/button`]);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.received).toEqual([]);
  });
});
