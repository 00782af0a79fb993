// A broker that takes packets of at most 256 bytes (Mosquitto's max_packet_size, announced in
// CONNACK on MQTT 5), on both engines: the discovery configs that fit arrive, and the one that does
// not is reported on the error topic with its size, never dropped silently.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDevice, type Engine } from "../support/device-process.js";
import { isConnected, peer, until } from "../support/e2e.js";
import { startMosquitto } from "../support/mosquitto.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("discovery on a broker that takes at most 256 bytes, %s engine", (engine) => {
  test("the configs that fit arrive; the temperature's is reported on the error topic with its size", async () => {
    const broker = await startMosquitto({ config: ["max_packet_size 256"] });
    const store = mkdtempSync(join(tmpdir(), "small-broker-"));
    const id = `small-${engine}`;
    const prefix = `sb/${id}`;
    const obs = await peer(broker.url, [`ha/+/${id}/+/config`, `${prefix}/error`]);
    const proc = await spawnDevice({ engine, broker: broker.url, store, config: { deviceId: id, prefix, discoveryPrefix: "ha", sensorSamplePeriod: 86_400_000 } });
    try {
      await proc.waitFor(isConnected, "connected");
      await until("six configs and one report", () => obs.received.length >= 7);
      const configs = obs.received.filter((m) => m.topic.endsWith("/config")).map((m) => m.topic.split("/")[1] + "/" + m.topic.split("/")[3]);
      expect(configs.sort()).toEqual(["button/bell", "device_automation/button_double", "device_automation/button_long", "device_automation/button_press", "light/lamp", "switch/relay"]);
      const [report] = obs.on(`${prefix}/error`).map((m) => JSON.parse(m.text));
      expect(report.topic).toBe(`ha/sensor/${id}/temperature/config`);
      expect(report.reason).toMatch(/is \d+ bytes; the broker takes at most 256/);
    } finally {
      obs.client.end(true);
      await proc.kill();
      await broker.stop();
      rmSync(store, { recursive: true, force: true });
    }
  });
});
