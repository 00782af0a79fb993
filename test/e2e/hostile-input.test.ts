// Commands as large and as deep as the broker will carry, on both engines: in XS the firmware has
// the board's 384-slot stack (simulator/xs/stack.ts), where decoding or parsing one character per
// stack slot overflows. Each input is obeyed or refused on the error topic, and the device lives on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { spawnDevice, type DeviceEvent, type DeviceProcess, type Engine } from "../support/device-process.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until } from "../support/e2e.js";

const engines: Engine[] = ["node", "xs"];
/** The default maxPacketBytes: the largest packet the device takes from the broker. */
const MAX_PACKET = 4096;

/** `{"state":"ON","pad":"xx..."}` of exactly `size` bytes. */
function padded(size: number): string {
  const head = '{"state":"ON","pad":"';
  return `${head}${"x".repeat(size - head.length - 2)}"}`;
}

/** A JSON command nested `depth` arrays deep. */
function nested(depth: number): string {
  return `{"state":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

/** The largest payload a PUBLISH on `topic` can carry within maxPacketBytes (QoS 1, MQTT 5). */
function largest(topic: string): number {
  const fixed = 1 + 2; // the first byte and a two-byte remaining length
  return MAX_PACKET - fixed - (2 + topic.length) - 2 - 1; // topic, packet id, properties length
}

const isLampOn = (e: DeviceEvent) => e.type === "pin" && e.name === "lamp" && e.value === 1;
const isLampOff = (e: DeviceEvent) => e.type === "pin" && e.name === "lamp" && e.value === 0;

describe.each(engines)("large and deep commands on the %s engine", (engine) => {
  let broker: Mosquitto;
  let store: string;
  let devices: DeviceProcess[] = [];
  let peer: MqttClient;
  const reports: Array<{ topic: string; input: string; reason: string }> = [];
  const states: string[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    peer.on("message", (topic, payload) => {
      if (topic.endsWith("/error")) reports.push(JSON.parse(payload.toString()));
      else states.push(`${topic} ${payload.toString()}`);
    });
  });
  afterAll(async () => {
    await peer.endAsync();
    await broker.stop();
  });
  beforeEach(() => {
    store = mkdtempSync(join(tmpdir(), "hostile-"));
    reports.length = 0;
    states.length = 0;
  });
  afterEach(async () => {
    for (const device of devices) await device.kill();
    devices = [];
    rmSync(store, { recursive: true, force: true });
  });

  async function device(prefix: string, config: Record<string, number | string> = {}): Promise<DeviceProcess> {
    const proc = await spawnDevice({ engine, broker: broker.url, store, config: { deviceId: prefix.replace(/\W/g, ""), prefix, discovery: false, ...config } });
    devices.push(proc);
    await proc.waitFor((e) => e.type === "connected", "connected");
    return proc;
  }

  async function refusal(topic: string): Promise<{ input: string; reason: string }> {
    await until(`a refusal of ${topic}`, () => reports.some((r) => r.topic === topic));
    const at = reports.findIndex((r) => r.topic === topic);
    return reports.splice(at, 1)[0];
  }

  test("a 256-byte command (the most a command may be) is obeyed", async () => {
    const prefix = `hi/${engine}/a`;
    const proc = await device(prefix);
    await peer.publishAsync(`${prefix}/lamp`, padded(256), { qos: 1 });
    await proc.waitFor(isLampOn, "the lamp on");
  });

  test("oversized, deeply nested and multibyte commands are refused with a bounded quote, and the device obeys the next", async () => {
    const prefix = `hi/${engine}/b`;
    await peer.subscribeAsync(`${prefix}/error`, { qos: 1 });
    const proc = await device(prefix);

    await peer.publishAsync(`${prefix}/lamp`, nested(95), { qos: 1 });
    const deep = await refusal(`${prefix}/lamp`);
    expect(deep.reason).toBe("JSON nested deeper than 8 levels.");
    expect(deep.input).toBe(`${nested(95).slice(0, 64)}...`);

    const pattern = JSON.stringify({ pattern: Array.from({ length: 250 }, () => 100) });
    expect(pattern.length).toBeGreaterThan(1000);
    await peer.publishAsync(`${prefix}/bell`, pattern, { qos: 1 });
    const long = await refusal(`${prefix}/bell`);
    expect(long.reason).toBe(`too long: ${pattern.length} bytes; at most 256.`);
    expect(long.input).toBe(`${pattern.slice(0, 64)}...`);

    const huge = "y".repeat(largest(`${prefix}/lamp`));
    await peer.publishAsync(`${prefix}/lamp`, huge, { qos: 1 });
    expect((await refusal(`${prefix}/lamp`)).reason).toBe(`too long: ${huge.length} bytes; at most 256.`);

    const euros = "€".repeat(85); // 255 bytes, 85 characters
    await peer.publishAsync(`${prefix}/lamp`, euros, { qos: 1 });
    expect(await refusal(`${prefix}/lamp`)).toEqual({ topic: `${prefix}/lamp`, input: `${"€".repeat(64)}...`, reason: "expected on, off, toggle or a JSON object." });

    const keys = Object.fromEntries(Array.from({ length: 58 }, (_, i) => [`k${i}`, i]));
    const config = JSON.stringify(keys);
    expect(config.length).toBeLessThanOrEqual(512);
    await peer.publishAsync(`${prefix}/config`, config, { qos: 1 });
    expect((await refusal(`${prefix}/config`)).reason).toBe("k0 is not a setting. k1 is not a setting. k2 is not a setting. (and 55 more)");

    await peer.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await proc.waitFor(isLampOn, "the lamp on after the refusals");
    expect(proc.events.filter((e) => e.type === "error")).toEqual([]);
  });

  test("a retained 1,000-byte bell command is refused at every boot, never a boot loop", async () => {
    const prefix = `hi/${engine}/c`;
    await peer.subscribeAsync(`${prefix}/error`, { qos: 1 });
    const payload = JSON.stringify({ pattern: Array.from({ length: 240 }, () => 100) });
    expect(payload.length).toBeGreaterThanOrEqual(960);
    await peer.publishAsync(`${prefix}/bell`, payload, { qos: 1, retain: true });
    try {
      for (let boot = 1; boot <= 2; boot++) {
        const proc = await device(prefix);
        expect((await refusal(`${prefix}/bell`)).input).toBe(`${payload.slice(0, 64)}...`);
        await peer.publishAsync(`${prefix}/lamp`, boot === 1 ? "on" : "off", { qos: 1 });
        await proc.waitFor(boot === 1 ? isLampOn : isLampOff, `boot ${boot}: the lamp obeys`);
        expect(await proc.stop()).toBe(0);
      }
    } finally {
      await peer.publishAsync(`${prefix}/bell`, "", { qos: 1, retain: true });
    }
  });

  test.each([4, 5])("MQTT %i: a retained 1 MiB message on the lamp topic never takes the device down", async (version) => {
    const prefix = `hi/${engine}/big${version}`;
    await peer.subscribeAsync([`${prefix}/error`, `${prefix}/lamp/state`], { qos: 1 });
    const huge = Buffer.alloc(1 << 20, 0x41);
    await peer.publishAsync(`${prefix}/lamp`, huge, { qos: 1, retain: true });
    try {
      const proc = await device(prefix, { protocolVersion: version });
      await peer.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
      await proc.waitFor(isLampOn, "the lamp on");
      await until("the lamp state on", () => states.includes(`${prefix}/lamp/state on`));
      const mine = reports.filter((r) => r.topic.startsWith(`${prefix}/`));
      if (version === 4) {
        // 3.1.1 cannot tell the broker a maximum: the device skips the message unread and says so, once.
        const size = 1 + 3 + 2 + `${prefix}/lamp`.length + 2 + huge.length;
        expect(mine).toEqual([
          {
            topic: `${prefix}/lamp`,
            input: `(${size} bytes, not read)`,
            reason: `too large: ${size} bytes; this device takes packets of at most ${MAX_PACKET} bytes (maxPacketBytes).`,
          },
        ]);
      } else {
        // MQTT 5 announced the maximum: the broker kept the message to itself.
        expect(mine).toEqual([]);
      }
      expect(proc.events.filter((e) => e.type === "connected")).toHaveLength(1);
      expect(proc.events.filter((e) => e.type === "disconnected" || e.type === "error")).toEqual([]);
    } finally {
      await peer.publishAsync(`${prefix}/lamp`, "", { qos: 1, retain: true });
    }
  });
});
