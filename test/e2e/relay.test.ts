// The relay end to end on both engines against Mosquitto: it obeys and reports its state, auto-off
// included, on the virtual clock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDevice, type DeviceOptions, type DeviceProcess, type Engine } from "../support/device-process.js";
import { isConnected, isPin, peer, until, type Peer } from "../support/e2e.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("relay on the %s engine against Mosquitto", (engine) => {
  let broker: Mosquitto;
  let dirs: string[] = [];
  let devices: DeviceProcess[] = [];
  let peers: Peer[] = [];
  let n = 0;

  async function device(options: Partial<DeviceOptions> = {}) {
    const id = `relay-${engine}-${++n}`;
    const store = mkdtempSync(join(tmpdir(), "relay-store-"));
    dirs.push(store);
    const proc = await spawnDevice({ engine, broker: broker.url, store, ...options, config: { deviceId: id, prefix: `relay/${id}`, discovery: false, ...options.config } });
    devices.push(proc);
    await proc.waitFor(isConnected, "connected");
    return { proc, prefix: `relay/${id}` };
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

  test("the relay obeys on, off and toggle, drives an active-low module inverted, and keeps its state retained", async () => {
    const { proc, prefix } = await device({ config: { relayActiveLow: true } });
    // Active low: off at boot is a high pin.
    await proc.waitFor(isPin("relay", 1), "relay pin high (off)");
    const obs = await observer([`${prefix}/relay/state`]);
    await until("state off at connect", () => obs.received.some((m) => m.text === "off" && m.retain));
    const from = proc.events.length;
    for (const command of ["on", "toggle", '{"state":"ON"}', "off"]) await obs.client.publishAsync(`${prefix}/relay`, command, { qos: 1 });
    await until("four states", () => obs.received.filter((m) => !m.retain).length >= 4);
    expect(obs.received.filter((m) => !m.retain).map((m) => m.text)).toEqual(["on", "off", "on", "off"]);
    expect(proc.events.slice(from).flatMap((e) => (e.type === "pin" && e.name === "relay" ? [e.value] : []))).toEqual([0, 1, 0, 1]);
  });

  test("with relayAutoOff the relay switches itself off after the time on the virtual clock, and says so", async () => {
    const { proc, prefix } = await device({ clock: "virtual", config: { relayAutoOff: 2 } });
    const obs = await observer([`${prefix}/relay/state`]);
    const from = proc.events.length;
    await obs.client.publishAsync(`${prefix}/relay`, "on", { qos: 1 });
    const on = await proc.waitFor(isPin("relay", 1), "relay on", 10_000, from);
    proc.send({ type: "advance", ms: 1999 });
    proc.send({ type: "advance", ms: 1 });
    const off = await proc.waitFor(isPin("relay", 0), "relay off by itself", 10_000, from);
    expect(off.type === "pin" && on.type === "pin" && off.t - on.t).toBe(2000);
    await until("state off published", () => obs.received.filter((m) => !m.retain).map((m) => m.text).join(" ") === "on off");
  });
});
