// The simulator as a process (the device-process protocol, node engine) against real brokers.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { makeTestCertificate } from "../support/certs.js";
import { spawnDevice, type DeviceEvent, type DeviceProcess } from "../support/device-process.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const isLamp = (value: 0 | 1) => (event: DeviceEvent) => event.type === "pin" && event.name === "lamp" && event.value === value;

/** An MQTT.js client that records messages as "topic=payload". */
async function observer(url: string, filter: string) {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const messages: string[] = [];
  client.on("message", (topic, payload) => messages.push(`${topic}=${payload.toString()}`));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("simulator process against Mosquitto", () => {
  let broker: Mosquitto;
  let store: string;
  let device: DeviceProcess | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });
  beforeEach(() => {
    store = mkdtempSync(join(tmpdir(), "sim-store-"));
  });
  afterEach(async () => {
    await device?.kill();
    device = undefined;
    rmSync(store, { recursive: true, force: true });
  });

  test("a lamp command published by another client switches the lamp pin", async () => {
    device = await spawnDevice({ engine: "node", broker: broker.url, store, config: { deviceId: "sim-lamp", discovery: false } });
    await device.waitFor((e) => e.type === "connected", "connected");
    const peer = await observer(broker.url, "home/office/lamp/state");
    const from = device.events.length;
    await peer.client.publishAsync("home/office/lamp", "on", { qos: 1 });
    const on = await device.waitFor(isLamp(1), "lamp pin on", 10_000, from);
    expect(on).toMatchObject({ type: "pin", name: "lamp", value: 1, t: expect.any(Number) });
    await until("retained state on", () => peer.messages.includes("home/office/lamp/state=on"));
    await peer.client.publishAsync("home/office/lamp", "off", { qos: 1 });
    await device.waitFor(isLamp(0), "lamp pin off", 10_000, from);
    await peer.client.endAsync();
  });

  test("stop publishes offline, disconnects cleanly and exits 0", async () => {
    device = await spawnDevice({ engine: "node", broker: broker.url, store, config: { deviceId: "sim-stop", discovery: false } });
    await device.waitFor((e) => e.type === "connected", "connected");
    const peer = await observer(broker.url, "home/office/status");
    await until("online", () => peer.messages.at(-1) === "home/office/status=online");
    expect(await device.stop()).toBe(0);
    await until("offline", () => peer.messages.at(-1) === "home/office/status=offline");
    await peer.client.endAsync();
  });

  test("a bad config key is reported as an error event naming the key, and the process exits 2", async () => {
    device = await spawnDevice({ engine: "node", broker: broker.url, store, config: { keepalive: "soon" } });
    expect(await device.exited).toBe(2);
    const error = device.events.find((e) => e.type === "error");
    expect(error).toMatchObject({ type: "error", message: expect.stringMatching(/keepalive/) });
    expect(device.events.some((e) => e.type === "ready")).toBe(false);
  });

  test("--engine xs hands the same flags to the XS device process: a lamp command switches its pin", async () => {
    device = await spawnDevice({
      engine: "node",
      flags: ["--engine", "xs"],
      broker: broker.url,
      store,
      config: { deviceId: "sim-xs", discovery: false },
    });
    await device.waitFor((e) => e.type === "connected", "connected");
    const peer = await observer(broker.url, "home/office/lamp/state");
    const from = device.events.length;
    await peer.client.publishAsync("home/office/lamp", "on", { qos: 1 });
    await device.waitFor(isLamp(1), "lamp pin on", 10_000, from);
    await until("retained state on", () => peer.messages.includes("home/office/lamp/state=on"));
    await peer.client.endAsync();
  });

  test("on a virtual clock, an analog input set on stdin is published as the sensor's reading when time is advanced", async () => {
    device = await spawnDevice({
      engine: "node",
      broker: broker.url,
      store,
      clock: "virtual",
      config: { deviceId: "sim-clock", discovery: false, sensorSamplePeriod: 1000, sensorReportPeriod: 1000 },
    });
    await device.waitFor((e) => e.type === "connected", "connected");
    const peer = await observer(broker.url, "home/office/temperature");
    device.send({ type: "input", name: "sensor", value: 924.5 }); // a TMP36 at 42.45 °C
    for (let i = 0; i < 3 && !peer.messages.some((m) => m.includes("42.5")); i++) {
      device.send({ type: "advance", ms: 1000 });
      await new Promise((r) => setTimeout(r, 200));
    }
    await until("reading 42.5", () => peer.messages.some((m) => m.includes("42.5")));
    const reading = JSON.parse(peer.messages.find((m) => m.includes("42.5"))!.split("=")[1]) as { value: number; unit: string };
    expect(reading).toMatchObject({ value: 42.5, unit: "C" });
    await peer.client.endAsync();
  });
});

describe("simulator over TLS", () => {
  test("connects to an mqtts:// Mosquitto whose certificate it trusts through --ca", async () => {
    const { cert, key } = makeTestCertificate();
    const broker = await startMosquitto({ tls: { cert, key } });
    const dir = mkdtempSync(join(tmpdir(), "sim-tls-"));
    writeFileSync(join(dir, "ca.pem"), cert);
    const root = resolve(__dirname, "..", "..");
    const child = spawn(
      process.execPath,
      ["tools/run.mjs", "simulator/cli.ts", "--ndjson", "--broker", broker.tlsUrl as string, "--ca", join(dir, "ca.pem"), "--store", dir],
      { cwd: root, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    try {
      await until("connected over TLS", () => stdout.includes('{"type":"connected"}'), 20_000);
      child.stdin.end(JSON.stringify({ type: "stop" }) + "\n");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("simulator with its embedded broker", () => {
  test("starts Aedes, tells where it listens, and a client there switches the lamp", async () => {
    const store = mkdtempSync(join(tmpdir(), "sim-store-"));
    const root = resolve(__dirname, "..", "..");
    const child = spawn(process.execPath, ["tools/run.mjs", "simulator/cli.ts", "--ndjson", "--store", store, "--deviceId=embedded"], {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    try {
      await until("embedded broker line", () => /embedded broker on 127\.0\.0\.1:\d+/.test(stdout), 20_000);
      const port = Number(/embedded broker on 127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
      await until("connected", () => stdout.includes('{"type":"connected"}'), 20_000);
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      await client.publishAsync("home/office/lamp", "on", { qos: 1 });
      await until("lamp on", () => stdout.includes('"name":"lamp","value":1'));
      await client.endAsync();
      child.stdin.end(JSON.stringify({ type: "stop" }) + "\n");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(store, { recursive: true, force: true });
    }
  });
});
