// A broker that refuses what the device publishes (an ACL: Mosquitto answers PUBACK 0x87 on MQTT 5):
// the device says so on its error topic, a few times a minute, counts each in health, and runs on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { spawnDevice, type DeviceProcess, type Engine } from "../support/device-process.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { sensor, until } from "../support/e2e.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("refused publishes on the %s engine", (engine) => {
  let broker: Mosquitto;
  let dir: string;
  let device: DeviceProcess | undefined;
  let peer: MqttClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "refusals-"));
    writeFileSync(join(dir, "acl"), "topic readwrite #\ntopic deny +/+/temperature\n");
    broker = await startMosquitto({ config: [`acl_file ${join(dir, "acl")}`] });
    peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await device?.kill();
    await peer.endAsync();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("readings the ACL denies are reported on the error topic (5 a minute at most) and counted in health", async () => {
    const prefix = `rf/${engine}`;
    const errors: Array<{ topic: string; reason: string }> = [];
    const health: Array<Record<string, number>> = [];
    peer.on("message", (topic, payload) => {
      if (topic === `${prefix}/error`) errors.push(JSON.parse(payload.toString()));
      if (topic === `${prefix}/health`) health.push(JSON.parse(payload.toString()));
    });
    await peer.subscribeAsync([`${prefix}/error`, `${prefix}/health`], { qos: 1 });
    device = await spawnDevice({
      engine,
      broker: broker.url,
      store: join(dir, `store-${engine}`),
      config: { deviceId: `rf${engine}`, prefix, discovery: false, sensorSamplePeriod: 20, sensorDeadband: 0.5, healthPeriod: 1000 },
    });
    await device.waitFor((e) => e.type === "connected", "connected");
    for (let value = 30; value < 40; value++) {
      device.send(sensor(value));
      await new Promise((r) => setTimeout(r, 40));
    }
    const denied = () => device!.events.filter((e) => e.type === "log" && e.line.startsWith(`not delivered to ${prefix}/temperature`)).length;
    await until("ten readings refused", () => denied() >= 10);
    await until("a health snapshot counting them", () => health.some((h) => h.dropsRefused >= 10));
    expect(errors.length).toBe(5);
    expect(errors[0]).toEqual({ topic: `${prefix}/temperature`, reason: "broker refused the message: not authorized" });
    // The device still obeys.
    await peer.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await device.waitFor((e) => e.type === "pin" && e.name === "lamp" && e.value === 1, "the lamp on");
    expect(device.events.filter((e) => e.type === "error")).toEqual([]);
  });
});
