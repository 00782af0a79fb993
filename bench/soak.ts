// A bounded soak: the real device app (src/app.ts on the Node host) against a real Mosquitto, through
// a TCP proxy that cuts the link every few seconds, with one broker restart midway, a commander
// switching the lamp at a steady rate and the sensor reporting at QoS 1 several times a second.
// A subscriber with a persistent session counts what arrives. Every figure printed is measured:
// readings are counted where the device's client accepts them, where their done callbacks fire,
// and where the subscriber receives them; commands where they are sent, where the proxy hands them
// to the device, and where the lamp pin changes. Loopback only.
// Run: npm run soak [-- --minutes M]   (default 3). Exits 1 if a QoS 1 reading was lost.
import mqtt from "mqtt";
import { createNodeHost } from "../hosts/node/host.js";
import type { VirtualPin } from "../hosts/node/pins.js";
import start from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { MqttClient } from "../src/mqtt/client.js";
import { startMosquitto } from "../test/support/mosquitto.js";
import { startProxy, type Direction } from "../test/support/proxy.js";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} wants a positive number`);
    process.exit(2);
  }
  return value;
}

const MINUTES = flag("minutes", 3);
const RUN_MS = MINUTES * 60_000;
const COMMAND_PERIOD = 200; // ms between lamp commands
const CUT_MIN = 2000; // a link cut every CUT_MIN..CUT_MAX ms
const CUT_MAX = 6000;
const DRAIN_MS = 30_000; // after the load: how long the readings still owed may take to arrive
const PREFIX = "home/office";
const LAMP = `${PREFIX}/lamp`;
const READINGS = `${PREFIX}/temperature`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// ---- counting the device's publishes, at its client ----
// Patched on the prototype before the app starts, so the first reading (taken inside start()) is
// counted too; the commander and subscriber are MQTT.js clients, so only the device passes here.
const accepted = new Set<string>();
const acked = new Set<string>();
let refusedAtPublish = 0;
let failedDone = 0;
const original = MqttClient.prototype.publish;
MqttClient.prototype.publish = function (this: MqttClient, topic, payload, options, done) {
  if (topic !== READINGS) return original.call(this, topic, payload, options, done);
  const key = typeof payload === "string" ? payload : Buffer.from(payload).toString();
  const error = original.call(this, topic, payload, options, (failure, ...rest) => {
    if (failure) failedDone++;
    else acked.add(key);
    done?.(failure, ...rest);
  });
  if (error) refusedAtPublish++;
  else accepted.add(key);
  return error;
};

// ---- commands as the proxy hands them to the device ----
let deviceVersion = 4;
let commandsDelivered = 0;
/** Delivered commands asking for the other level than the one asked before (the lamp starts off). */
let commandsChanging = 0;
let lastTarget = 0;
/** Reads the topic of a PUBLISH (and the protocol level of a CONNECT) from one whole packet. */
function watch(direction: Direction, packet: Buffer): boolean {
  let p = 1;
  while (packet[p] & 0x80) p++;
  p++;
  const type = packet[0] >> 4;
  if (direction === "up" && type === 1) deviceVersion = packet[p + 2 + packet.readUInt16BE(p)];
  if (direction === "down" && type === 3) {
    const length = packet.readUInt16BE(p);
    if (packet.toString("utf8", p + 2, p + 2 + length) !== LAMP) return true;
    commandsDelivered++;
    p += 2 + length;
    if (packet[0] & 0x06) p += 2; // packet id
    if (deviceVersion === 5) {
      let props = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = packet[p++];
        props += (byte & 0x7f) << shift;
        if (!(byte & 0x80)) break;
      }
      p += props;
    }
    const target = packet.toString("utf8", p) === "on" ? 1 : 0;
    if (target !== lastTarget) commandsChanging++;
    lastTarget = target;
  }
  return true;
}

const broker = await startMosquitto({ persistence: true });
const proxy = await startProxy(broker.port, "127.0.0.1", { filter: watch });
const parsed = parseConfig({
  broker: proxy.url,
  deviceId: `soak-${process.pid}`,
  prefix: PREFIX,
  discovery: false,
  keepalive: 10,
  healthPeriod: 10_000,
  sensorSamplePeriod: 50,
  sensorReportPeriod: 100,
  sensorDeadband: 0.5,
});
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const deviceLog: string[] = [];
const host = createNodeHost({ log: (line) => void deviceLog.push(line) });

// Lamp pin changes, as the pin sees them (it is opened inside start()).
let pinChanges = 0;
host.pins.onOpen((pin) => {
  if (pin.name === "lamp" && pin.kind === "output") (pin as VirtualPin).onChange(() => void pinChanges++);
});

// The subscriber: straight to the broker, a persistent session at QoS 1, so what arrives while it
// is away (the broker restart) is kept for it.
const received = new Map<string, number>();
let subscriberConnects = 0;
const subscriber = await mqtt.connectAsync(broker.url, { clientId: `soak-sub-${process.pid}`, clean: false, reconnectPeriod: 250, protocolVersion: 4 });
subscriberConnects++;
subscriber.on("connect", () => void subscriberConnects++);
subscriber.on("message", (topic, payload) => {
  if (topic !== READINGS) return;
  const key = payload.toString();
  received.set(key, (received.get(key) ?? 0) + 1);
});
await subscriber.subscribeAsync(READINGS, { qos: 1 });
const memStart = process.memoryUsage().heapUsed;

const app = start(host, parsed.config);
const outboxStart = app.client.stats().bytes;

// The commander: on, off, on, ... at QoS 1, straight to the broker.
const commander = await mqtt.connectAsync(broker.url, { clientId: `soak-cmd-${process.pid}`, reconnectPeriod: 250, protocolVersion: 4 });
let commandsSent = 0;
let commandsAcked = 0;
const commanding = setInterval(() => {
  commandsSent++;
  commander.publish(LAMP, commandsSent % 2 === 1 ? "on" : "off", { qos: 1 }, (error) => void (error ? undefined : commandsAcked++));
}, COMMAND_PERIOD);

// Time the device spent without a connection, sampled every 50 ms.
let offlineMs = 0;
const sampling = setInterval(() => void (app.client.connected ? undefined : (offlineMs += 50)), 50);

// The faults: link cuts at random moments, one broker restart at half time.
const began = Date.now();
let cuts = 0;
let restarts = 0;
let restarting = false;
while (Date.now() - began < RUN_MS) {
  await sleep(CUT_MIN + Math.random() * (CUT_MAX - CUT_MIN));
  if (Date.now() - began >= RUN_MS) break;
  if (restarts === 0 && Date.now() - began >= RUN_MS / 2 && !restarting) {
    restarting = true;
    await broker.restart();
    restarts++;
    continue;
  }
  if (proxy.connections() > 0) {
    proxy.cut({ reset: Math.random() < 0.5 });
    cuts++;
  }
}
clearInterval(commanding);
clearInterval(sampling);

// Drain: the link stays up; wait until the device's outbox is empty and every accepted reading
// arrived (or the drain time ran out), then let late duplicates land.
const drainFrom = Date.now();
const owed = () => [...accepted].filter((key) => !received.has(key)).length;
while (Date.now() - drainFrom < DRAIN_MS && (app.client.stats().messages > 0 || owed() > 0)) await sleep(100);
await sleep(1000);
const drained = Date.now() - drainFrom;

const stats = app.client.stats();
const outboxEnd = stats.bytes;
const memEnd = process.memoryUsage().heapUsed;
await new Promise<void>((resolve) => app.stop(resolve));
MqttClient.prototype.publish = original;

let lost = 0;
let unknown = 0;
let duplicates = 0;
for (const key of accepted) if (!received.has(key)) lost++;
for (const [key, count] of received) {
  if (!accepted.has(key)) unknown++;
  duplicates += count - 1;
}
const ackedNotReceived = [...acked].filter((key) => !received.has(key)).length;

const rows: Array<[string, string | number]> = [
  ["duration", `${MINUTES} min load + ${(drained / 1000).toFixed(1)} s drain`],
  ["readings accepted by the device (QoS 1)", accepted.size],
  ["readings refused at publish (outbox full etc.)", refusedAtPublish],
  ["readings acknowledged (done callbacks)", acked.size],
  ["readings failed in done callbacks", failedDone],
  ["readings received by the subscriber (distinct)", received.size],
  ["readings lost (accepted, never received)", lost],
  ["  of which acknowledged by the broker", ackedNotReceived],
  ["duplicate deliveries", duplicates],
  ["received but never accepted", unknown],
  ["device client: published / drops", `${stats.published} / ${stats.drops}`],
  ["commands sent / PUBACKed by broker", `${commandsSent} / ${commandsAcked}`],
  ["commands delivered to the device (at the proxy)", commandsDelivered],
  ["  of which asked for a change of level", commandsChanging],
  ["commands obeyed (lamp pin changes)", pinChanges],
  ["link cuts", cuts],
  ["broker restarts", restarts],
  ["device reconnects / failed connects", `${stats.reconnects} / ${stats.failedConnects}`],
  ["device offline during the load (sampled)", `${(offlineMs / 1000).toFixed(1)} s`],
  ["device protocol version (CONNECT)", deviceVersion],
  ["subscriber connects", subscriberConnects],
  ["heapUsed start -> end", `${mb(memStart)} -> ${mb(memEnd)}`],
  ["device outbox bytes start -> end", `${outboxStart} -> ${outboxEnd} (budget ${stats.budget})`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n"));
if (lost > 0) {
  console.log("\nFAIL: QoS 1 readings were lost. Device log (last 20 lines):");
  console.log(deviceLog.slice(-20).join("\n"));
}

await Promise.all([subscriber.endAsync(true), commander.endAsync(true)]);
await proxy.close();
await broker.stop();
process.exit(lost > 0 || accepted.size === 0 ? 1 : 0);
