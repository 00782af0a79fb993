// The XS engine gives the firmware the board's stack (384 slots, simulator/xs/stack.ts), so a change
// that would overflow the ESP8266 or the Moddable simulator overflows in the test suite first. The
// device scenarios in test/e2e run that way; these tests show the limit is real on both sides.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { until } from "../support/e2e.js";
import { spawnDevice, type DeviceProcess } from "../support/device-process.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

describe("the board's XS stack inside xsnap", () => {
  let broker: Mosquitto;
  let store: string;
  let device: DeviceProcess | undefined;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());
  beforeEach(() => {
    store = mkdtempSync(join(tmpdir(), "xs-stack-"));
  });
  afterEach(async () => {
    await device?.kill();
    device = undefined;
    rmSync(store, { recursive: true, force: true });
  });

  test("with 384 slots the device connects and handles a command, a refusal and a live config change", async () => {
    device = await spawnDevice({ engine: "xs", broker: broker.url, store, flags: ["--stack", "384"], config: { deviceId: "xs-stack-384", prefix: "xs/s384" } });
    await device.waitFor((e) => e.type === "connected", "connected");
    const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const echoes: string[] = [];
    peer.on("message", (_topic, payload) => echoes.push(payload.toString()));
    await peer.subscribeAsync("xs/s384/config/state", { qos: 1 });
    try {
      const from = device.events.length;
      for (const [topic, payload] of [["lamp", "on"], ["lamp", "bogus"], ["config", '{"sensorDeadband":2}'], ["config", '{"sensorDeadband":"x"}']])
        await peer.publishAsync(`xs/s384/${topic}`, payload, { qos: 1 });
      await device.waitFor((e) => e.type === "pin" && e.name === "lamp" && e.value === 1, "lamp on", 10_000, from);
      await device.waitFor((e) => e.type === "log" && e.line.startsWith("refused xs/s384/config"), "the bad config refused", 10_000, from);
      await until("the change echoed", () => echoes.some((text) => JSON.parse(text).sensorDeadband === 2));
      expect(device.events.filter((e) => e.type === "error")).toEqual([]);
    } finally {
      await peer.endAsync();
    }
  });

  test("with too little stack the device fails with the XS stack overflow, not a hang", async () => {
    device = await spawnDevice({ engine: "xs", broker: broker.url, store, flags: ["--stack", "160"], config: { deviceId: "xs-stack-160", prefix: "xs/s160" } });
    const failed = await device.waitFor((e) => e.type === "error", "an error event");
    expect(failed).toMatchObject({ type: "error", message: expect.stringContaining("stack overflow") });
  });
});
