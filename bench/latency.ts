// Command-to-pin latency on the Node host through a local Mosquitto: an MQTT.js peer publishes a
// lamp command and we time until the virtual lamp pin changes. Beside it, measured the same way in
// the same run, the bare broker round trip: the same peer publishes and an MQTT.js subscriber
// receives. Samples alternate between the two paths so both see the same machine load.
// Usage: npm run bench:latency [-- --count=1000]
import { performance } from "node:perf_hooks";
import mqtt from "mqtt";
import start from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createNodeHost } from "../hosts/node/host.js";
import { VirtualPin } from "../hosts/node/pins.js";
import { startMosquitto } from "../test/support/mosquitto.js";

const count = Number(process.argv.find((a) => a.startsWith("--count="))?.slice(8) ?? 1000);
const WARMUP = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function once<T>(subscribe: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise(subscribe);
}

// Mosquitto as installed: TCP_NODELAY off, as most brokers people run.
const broker = await startMosquitto();
const parsed = parseConfig({
  broker: broker.url,
  deviceId: "bench-latency",
  prefix: "bench",
  discovery: "false",
  sensorSamplePeriod: "86400000",
  sensorReportPeriod: "86400000",
  healthPeriod: "86400000",
});
if (!parsed.ok) throw new Error(parsed.errors.join(" "));
const host = createNodeHost({ log: () => undefined });
const app = start(host, parsed.config);

const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
const subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
await subscriber.subscribeAsync("bench/echo", { qos: 0 });
while (!app.client.connected) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 200)); // let the device's SUBSCRIBE be acknowledged

// The time is taken in the listeners themselves, so the work after the pin write (the state
// publish) and promise scheduling are not counted on either side.
let onPin: ((t: number) => void) | undefined;
const lamp = host.pins.get("lamp");
if (!(lamp instanceof VirtualPin)) throw new Error("the app opened no lamp output");
lamp.onChange(() => onPin?.(performance.now()));
let onEcho: ((t: number) => void) | undefined;
subscriber.on("message", () => onEcho?.(performance.now()));

const device: number[] = [];
const bare: number[] = [];
for (let i = 0; i < WARMUP + count; i++) {
  const level = lamp.value === 1 ? "off" : "on";
  const pin = once<number>((resolve) => (onPin = resolve));
  let t0 = performance.now();
  publisher.publish("bench/lamp", level, { qos: 0 });
  const d = (await pin) - t0;

  const echo = once<number>((resolve) => (onEcho = resolve));
  t0 = performance.now();
  publisher.publish("bench/echo", level, { qos: 0 });
  const b = (await echo) - t0;
  if (i >= WARMUP) {
    device.push(d);
    bare.push(b);
  }
}

await new Promise<void>((resolve) => app.stop(resolve));
await publisher.endAsync();
await subscriber.endAsync();
await broker.stop();

device.sort((a, b) => a - b);
bare.sort((a, b) => a - b);
const row = (name: string, xs: number[]) =>
  `${name.padEnd(40)} p50 ${percentile(xs, 50).toFixed(3)} ms   p99 ${percentile(xs, 99).toFixed(3)} ms`;
console.log(`command-to-pin latency through Mosquitto, ${count} commands (QoS 0, ${WARMUP} warm-up)`);
console.log(row("device: publish -> lamp pin change", device));
console.log(row("bare broker: publish -> MQTT.js receive", bare));
console.log(
  `ratio device/bare: p50 ${(percentile(device, 50) / percentile(bare, 50)).toFixed(2)}x   p99 ${(percentile(device, 99) / percentile(bare, 99)).toFixed(2)}x   (target p50 <= 1.2x)`,
);
