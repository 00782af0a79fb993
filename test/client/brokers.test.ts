// The client against real brokers: Mosquitto (3.1.1 and 5) and Aedes (3.1.1 only).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAedes, type AedesBroker } from "../support/aedes.js";
import { makeTestCertificate } from "../support/certs.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { startProxy, type Proxy } from "../support/proxy.js";
import { MemoryStore } from "../support/memory-store.js";
import { live, sleep, stopAll, text, until } from "./live.js";

let mosquitto: Mosquitto;
let aedes: AedesBroker;
let proxy: Proxy;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  aedes = await startAedes();
  proxy = await startProxy(mosquitto.port);
});

afterEach(stopAll);

afterAll(async () => {
  await proxy?.close();
  await mosquitto?.stop();
  await aedes?.stop();
});

describe.each([3, 4, 5] as const)("Mosquitto, MQTT protocol level %s", (protocolVersion) => {
  const topic = (name: string) => `v${protocolVersion}/${name}`;

  test("the will is published on an abrupt close and not on a clean disconnect", async () => {
    const watcher = live(mosquitto.url, { protocolVersion });
    watcher.client.subscribe(topic("will/#"), 1, () => undefined);
    await watcher.start();
    await sleep(100);
    const will = { topic: topic("will/a"), payload: "offline", qos: 1 as const };
    const abrupt = live(proxy.url, { protocolVersion, will });
    await abrupt.start();
    proxy.cut();
    await abrupt.stop();
    await until(() => watcher.messages.length === 1, 5000, "the will");
    expect(text(watcher.messages[0])).toBe("offline");

    const clean = live(mosquitto.url, { protocolVersion, will: { ...will, topic: topic("will/b") } });
    await clean.start();
    await clean.stop();
    await sleep(300);
    expect(watcher.messages.map((m) => m.topic)).toEqual([topic("will/a")]);
    await watcher.stop();
  });

  test("retained messages reach later subscribers, flagged retained", async () => {
    const publisher = live(mosquitto.url, { protocolVersion });
    await publisher.start();
    let acked = false;
    publisher.client.publish(topic("retained"), "kept", { qos: 1, retain: true }, (e) => (acked = !e));
    await until(() => acked);
    const later = live(mosquitto.url, { protocolVersion });
    later.client.subscribe(topic("retained"), 1, () => undefined);
    await later.start();
    await until(() => later.messages.length === 1);
    expect(later.messages[0]).toMatchObject({ topic: topic("retained"), retain: true, qos: 1 });
    expect(text(later.messages[0])).toBe("kept");
    await publisher.stop();
    await later.stop();
  });

  test("a persistent session resumes with the messages queued while away", async () => {
    const clientId = `resume-${protocolVersion}-${process.pid}`;
    const away = live(mosquitto.url, { protocolVersion, clientId, clean: false, sessionExpiry: 60 });
    away.client.subscribe(topic("queued/#"), 1, () => undefined);
    await away.start();
    await sleep(100);
    await away.stop();
    const publisher = live(mosquitto.url, { protocolVersion });
    await publisher.start();
    let acked = 0;
    for (let i = 0; i < 5; i++) publisher.client.publish(topic(`queued/${i}`), String(i), { qos: 1 }, () => acked++);
    await until(() => acked === 5);
    const back = live(mosquitto.url, { protocolVersion, clientId, clean: false, sessionExpiry: 60 });
    back.client.subscribe(topic("queued/#"), 1, () => undefined);
    await back.start();
    // MQTT 3.1's CONNACK has no Session Present flag: the client cannot know, and subscribes again.
    expect(back.connects[0].sessionPresent).toBe(protocolVersion !== 3);
    await until(() => back.messages.length === 5);
    expect(back.messages.map(text)).toEqual(["0", "1", "2", "3", "4"]);
    await publisher.stop();
    await back.stop();
  });

  test("QoS 2 end to end: every message exactly once", async () => {
    const subscriber = live(mosquitto.url, { protocolVersion });
    subscriber.client.subscribe(topic("exact"), 2, () => undefined);
    await subscriber.start();
    await sleep(100);
    const publisher = live(mosquitto.url, { protocolVersion });
    await publisher.start();
    let done = 0;
    for (let i = 0; i < 200; i++) publisher.client.publish(topic("exact"), String(i), { qos: 2 }, (e) => !e && done++);
    await until(() => done === 200 && subscriber.messages.length >= 200);
    await sleep(200);
    expect(subscriber.messages.map(text)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(subscriber.messages.every((m) => m.qos === 2)).toBe(true);
    await publisher.stop();
    await subscriber.stop();
  });
});

describe("Aedes (3.1.1 only)", () => {
  test("a client asking for MQTT 5 falls back to 3.1.1 and works", async () => {
    const subscriber = live(aedes.url, { protocolVersion: 5 });
    subscriber.client.subscribe("a/+", 1, () => undefined);
    await subscriber.start();
    expect(subscriber.connects[0].protocolVersion).toBe(4);
    expect(subscriber.errors).toEqual([]);
    const publisher = live(aedes.url, { protocolVersion: 5 });
    await publisher.start();
    await sleep(100);
    publisher.client.publish("a/b", "hi", { qos: 1 });
    publisher.client.publish("a/c", "there", { qos: 2 });
    await until(() => subscriber.messages.length === 2);
    // Aedes does not keep order between QoS 1 and QoS 2 flows (MQTT only promises it per QoS).
    expect(subscriber.messages.map(text).sort()).toEqual(["hi", "there"]);
    await publisher.stop();
    await subscriber.stop();
  });

  test("will on an abrupt close, none on a clean disconnect", async () => {
    const aedesProxy = await startProxy(aedes.port);
    const watcher = live(aedes.url, { protocolVersion: 4 });
    watcher.client.subscribe("aw/#", 0, () => undefined);
    await watcher.start();
    const will = { topic: "aw/a", payload: "offline" };
    const abrupt = live(aedesProxy.url, { protocolVersion: 4, will });
    await abrupt.start();
    aedesProxy.cut();
    await abrupt.stop();
    await until(() => watcher.messages.length === 1, 5000, "the will");
    const clean = live(aedes.url, { protocolVersion: 4, will: { topic: "aw/b", payload: "offline" } });
    await clean.start();
    await clean.stop();
    await sleep(300);
    expect(watcher.messages.map((m) => m.topic)).toEqual(["aw/a"]);
    await watcher.stop();
    await aedesProxy.close();
  });
});

test("a new client over the same store delivers the QoS 1 messages left in the outbox", async () => {
  const store = new MemoryStore();
  const subscriber = live(mosquitto.url);
  subscriber.client.subscribe("restart/#", 1, () => undefined);
  await subscriber.start();
  await sleep(100);
  // The first "process" publishes while the broker is unreachable, then dies.
  const first = live("mqtt://127.0.0.1:1", { persistPrefix: "rs" }, store);
  first.client.start();
  for (let i = 0; i < 20; i++) expect(first.client.publish(`restart/${i}`, String(i), { qos: 1 })).toBeUndefined();
  first.client.publish("restart/q0", "lost", { qos: 0 });
  expect(first.client.stats().messages).toBe(21);
  await first.stop();
  const second = live(mosquitto.url, { persistPrefix: "rs" }, store);
  expect(second.client.stats().messages).toBe(20);
  await second.start();
  await until(() => subscriber.messages.length === 20);
  expect(subscriber.messages.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  await until(() => second.client.stats().messages === 0);
  expect(store.keys()).toEqual([]);
  await second.stop();
  await subscriber.stop();
});

test("mqtts:// goes over TLS, trusting the given CA", async () => {
  const certificate = makeTestCertificate();
  const dir = mkdtempSync(join(tmpdir(), "mqtts-"));
  writeFileSync(join(dir, "cert.pem"), certificate.cert);
  writeFileSync(join(dir, "key.pem"), certificate.key);
  const tlsPort = await freePort();
  const secure = await startMosquitto({
    config: [`listener ${tlsPort} 127.0.0.1`, `certfile ${join(dir, "cert.pem")}`, `keyfile ${join(dir, "key.pem")}`],
  });
  try {
    const client = live(`mqtts://127.0.0.1:${tlsPort}`, { tls: { ca: certificate.cert } });
    client.client.subscribe("tls/echo", 1, () => undefined);
    await client.start();
    await sleep(50);
    client.client.publish("tls/echo", "over tls", { qos: 1 });
    await until(() => client.messages.length === 1);
    expect(text(client.messages[0])).toBe("over tls");
    await client.stop();
    const untrusting = live(`mqtts://127.0.0.1:${tlsPort}`);
    untrusting.client.start();
    await until(() => untrusting.errors.length > 0);
    expect(untrusting.errors[0].code).toBe("transport");
    expect(untrusting.connects).toEqual([]);
  } finally {
    await secure.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
