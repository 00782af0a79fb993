// The device behind Mosquitto's passwords and an ACL that keeps each device to its own prefix:
// a wrong password is a clear error and a slow retry, the password is nowhere in what the device
// prints or publishes, the device works fully inside its prefix, and commands outside it do nothing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { spawnDevice, type DeviceProcess, type Engine } from "../support/device-process.js";
import { makeTestPki } from "../support/certs.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { sensor, sleep, until } from "../support/e2e.js";

const engines: Engine[] = ["node", "xs"];
const PASSWORD = `Pa55-${process.pid}-right`;
const WRONG = `Pa55-${process.pid}-wrong`;
const WATCHER = `Watch-${process.pid}`;
const ROOT = resolve(__dirname, "..", "..");

/** Every file's text under `dir`. */
function filesText(dir: string): string {
  let out = "";
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? filesText(path) : readFileSync(path, "latin1");
  }
  return out;
}

let dir: string;
let broker: Mosquitto;
let watcher: MqttClient;
/** Everything published on the broker, as the watcher saw it. */
const seen: Array<{ topic: string; payload: string }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "security-"));
  const passwords = join(dir, "passwords");
  // mosquitto_passwd hashes the file in place: users "node" and "xs" (one per engine) and a watcher.
  writeFileSync(passwords, `node:${PASSWORD}\nxs:${PASSWORD}\nwatcher:${WATCHER}\n`);
  try {
    execFileSync("mosquitto_passwd", ["-U", passwords], { stdio: "pipe" });
  } catch (error) {
    throw new Error(`mosquitto_passwd failed (apt-get install mosquitto): ${(error as Error).message}`);
  }
  // Each device reads and writes under sec/<its user name>/ only, and may not publish temperatures;
  // it may write its own Home Assistant discovery configs (homeassistant/<component>/<client id>/...).
  writeFileSync(
    join(dir, "acl"),
    "user watcher\ntopic readwrite #\n\npattern readwrite sec/%u/#\npattern deny sec/%u/temperature\npattern write homeassistant/+/%c/#\n",
  );
  broker = await startMosquitto({ config: ["allow_anonymous false", `password_file ${passwords}`, `acl_file ${join(dir, "acl")}`] });
  watcher = await mqtt.connectAsync(broker.url, { username: "watcher", password: WATCHER, reconnectPeriod: 0 });
  watcher.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString("latin1") }));
  await watcher.subscribeAsync("#", { qos: 1 });
}, 30_000);
afterAll(async () => {
  await watcher?.endAsync();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(engines)("credentials and the ACL on the %s engine", (engine) => {
  let device: DeviceProcess | undefined;
  const store = (): string => join(dir, `store-${engine}`);
  const prefix = `sec/${engine}`;
  const base = { deviceId: `sec-${engine}`, prefix, mqttUser: engine, discovery: false, healthPeriod: 1000, sensorSamplePeriod: 50, sensorDeadband: 0.5 };
  afterEach(async () => {
    await device?.kill();
    device = undefined;
  });

  test("a wrong password is reported plainly, retried only after the longest wait, and printed nowhere", async () => {
    device = await spawnDevice({ engine, broker: broker.url, store: store(), config: { ...base, mqttPassword: WRONG, reconnectMax: 30_000 } });
    const refusal = await device.waitFor((e) => e.type === "log" && /broker refused/.test(e.line), "the refusal");
    expect(refusal.type === "log" && refusal.line).toMatch(/broker refused: (not authorized|bad user name or password); next try in (1[5-9]|2\d|30) s, the longest wait/);
    // No second try in the next two seconds (a fixed one-second retry would have made two).
    await sleep(2000);
    expect(device.events.filter((e) => e.type === "log" && /broker refused/.test(e.line))).toHaveLength(1);
    expect(device.events.some((e) => e.type === "connected")).toBe(false);
    const printed = JSON.stringify(device.events) + device.stderr();
    expect(printed).not.toContain(WRONG);
  }, 30_000);

  test("with the right password it works fully inside its prefix; commands outside it do nothing; a denied publish is reported", async () => {
    const errors: string[] = [];
    const from = seen.length;
    device = await spawnDevice({ engine, broker: broker.url, store: store(), config: { ...base, mqttPassword: PASSWORD } });
    await device.waitFor((e) => e.type === "connected", "connected");
    await until("its birth", () => seen.slice(from).some((m) => m.topic === `${prefix}/status` && m.payload === "online"));
    // Another device's command topic, and a look-alike prefix: the device neither hears nor acts.
    for (const topic of ["sec/other/lamp", `${prefix}-x/lamp`, "lamp", `${prefix}/lamp/state`]) await watcher.publishAsync(topic, "on", { qos: 1 });
    await sleep(700);
    expect(device.events.filter((e) => e.type === "pin" && e.name === "lamp" && e.value === 1)).toEqual([]);
    await watcher.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await device.waitFor((e) => e.type === "pin" && e.name === "lamp" && e.value === 1, "the lamp on");
    await until("the lamp's state", () => seen.slice(from).some((m) => m.topic === `${prefix}/lamp/state` && m.payload === "on"));
    // The ACL denies temperatures: the device says so on its error topic (PUBACK 0x87 on MQTT 5).
    device.send(sensor(31));
    await until("a report on the error topic", () => {
      for (const m of seen.slice(from)) if (m.topic === `${prefix}/error`) errors.push(m.payload);
      return errors.length > 0;
    });
    expect(JSON.parse(errors[0])).toEqual({ topic: `${prefix}/temperature`, reason: "broker refused the message: not authorized" });
    await until("health", () => seen.slice(from).some((m) => m.topic === `${prefix}/health`));
    const running = device;
    device = undefined;
    await running.stop();
    // The password is in no line printed, no message published, no file the device wrote.
    const everything = JSON.stringify(running.events) + running.stderr() + JSON.stringify(seen) + filesText(store());
    for (const secret of [PASSWORD, WRONG]) expect(everything).not.toContain(secret);
  }, 60_000);
});

test("--help shows where credentials come from, and not their values", () => {
  const help = execFileSync(process.execPath, [join(ROOT, "tools", "run.mjs"), join("simulator", "cli.ts"), "--help"], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
  expect(help).toContain("MQTT_PASSWORD");
  expect(help).not.toContain(PASSWORD);
});

describe.each(engines)("mutual TLS from the config keys on the %s engine", (engine) => {
  test("tlsCa, tlsCert and tlsKey (files) connect the device to a Mosquitto that requires a client certificate", async () => {
    const pki = makeTestPki();
    const port = await freePort();
    const secure = await startMosquitto({
      config: [`listener ${port} 127.0.0.1`, `certfile ${pki.server}`, `keyfile ${pki.keyOf(pki.server)}`, `cafile ${pki.ca}`, "require_certificate true"],
    });
    const device = await spawnDevice({
      engine,
      broker: `mqtts://127.0.0.1:${port}`,
      store: join(dir, `tls-store-${engine}`),
      config: { deviceId: `mtls-${engine}`, prefix: `mtls/${engine}`, discovery: false, tlsCa: pki.ca, tlsCert: pki.client, tlsKey: pki.keyOf(pki.client) },
    });
    try {
      await device.waitFor((e) => e.type === "connected", "connected over mutual TLS");
      const peer = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { ca: readFileSync(pki.ca), cert: readFileSync(pki.client), key: readFileSync(pki.keyOf(pki.client)), reconnectPeriod: 0 });
      await peer.publishAsync(`mtls/${engine}/lamp`, "on", { qos: 1 });
      await device.waitFor((e) => e.type === "pin" && e.name === "lamp" && e.value === 1, "the lamp on over TLS");
      await peer.endAsync();
    } finally {
      await device.kill();
      await secure.stop();
      pki.remove();
    }
  }, 60_000);
});
