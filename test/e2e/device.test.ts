// End to end: the device as a child process (either engine) against a real Mosquitto, driven only
// through the device-process protocol and MQTT, so the same scenarios hold on Node and in XS (where
// the firmware gets the board's 384-slot stack, simulator/xs/stack.ts).
import type { Engine } from "../support/device-process.js";
import { e2eDevices, isConnected, isPin, sensor, sleep, until } from "../support/e2e.js";
import { startProxy } from "../support/proxy.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("device on the %s engine against Mosquitto", (engine) => {
  const fixture = e2eDevices(engine, "e2e", { persistence: true });
  const device = fixture.device;
  const observer = fixture.observer;

  test("a command from another client switches the lamp pin and the retained state follows", async () => {
    const { proc, prefix } = await device();
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/lamp/state`, `${prefix}/status`]);
    await until("birth online", () => obs.on(`${prefix}/status`).some((m) => m.text === "online"));
    await obs.client.publishAsync(`${prefix}/lamp`, '{"state":"ON"}', { qos: 1 });
    await proc.waitFor(isPin("lamp", 1), "lamp pin high");
    await until("state on", () => obs.on(`${prefix}/lamp/state`).some((m) => m.text === "on"));

    // A late subscriber gets the state retained.
    const late = await observer([`${prefix}/lamp/state`]);
    await until("retained state", () => late.received.length > 0);
    expect(late.received[0]).toEqual({ topic: `${prefix}/lamp/state`, text: "on", retain: true });

    await obs.client.publishAsync(`${prefix}/lamp`, "toggle", { qos: 1 });
    await proc.waitFor(isPin("lamp", 0), "lamp pin low");
  });

  test("a bad command is answered on the error topic and the device keeps working", async () => {
    const { proc, prefix } = await device();
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/error`]);
    await obs.client.publishAsync(`${prefix}/lamp`, "blink", { qos: 1 });
    await until("error report", () => obs.received.length > 0);
    expect(JSON.parse(obs.received[0].text)).toEqual({
      topic: `${prefix}/lamp`,
      input: "blink",
      reason: "expected on, off, toggle or a JSON object.",
    });
    await obs.client.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await proc.waitFor(isPin("lamp", 1), "lamp pin high after the bad command");
  });

  test("a bell pattern produces the exact pin timeline on the virtual clock, then a completion event", async () => {
    const { proc, prefix } = await device({ clock: "virtual" });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/bell/event`]);
    const from = proc.events.length;
    await obs.client.publishAsync(`${prefix}/bell`, '{"pattern":[200,100,250,50,30]}', { qos: 1 });
    const first = await proc.waitFor(isPin("bell", 1), "bell rings", 10_000, from);
    const t0 = first.type === "pin" ? first.t : NaN;
    proc.send({ type: "advance", ms: 1000 });
    await proc.waitFor((e) => isPin("bell")(e) && e.type === "pin" && e.t >= t0 + 630, "the last bell step", 10_000, from);
    const timeline = proc.events.slice(from).flatMap((e) => (e.type === "pin" && e.name === "bell" ? [[e.t - t0, e.value]] : []));
    expect(timeline).toEqual([[0, 1], [200, 0], [300, 1], [550, 0], [600, 1], [630, 0]]);
    await until("completion event", () => obs.received.length > 0);
    expect(JSON.parse(obs.received[0].text)).toMatchObject({ event: "rung", pattern: [200, 100, 250, 50, 30] });
  });

  test("a retained ring never rings the bell", async () => {
    const id = `e2e-${engine}-retained-bell`;
    const prefix = `e2e/${id}`;
    const pub = await observer([]);
    await pub.client.publishAsync(`${prefix}/bell`, "ring", { qos: 1, retain: true });
    const obs = await observer([`${prefix}/error`]);
    const { proc } = await device({ config: { deviceId: id, prefix } });
    await proc.waitFor(isConnected, "connected");
    await until("refusal of the retained ring", () => obs.received.length > 0);
    expect(JSON.parse(obs.received[0].text).reason).toBe("retained command ignored: a ring must be fresh.");
    expect(proc.events.some(isPin("bell", 1))).toBe(false);
    await pub.client.publishAsync(`${prefix}/bell`, "", { qos: 1, retain: true });
  });

  test("a command with an old ts is refused as stale and rings nothing", async () => {
    const { proc, prefix } = await device({ config: { commandMaxAge: 5000 } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/error`]);
    await obs.client.publishAsync(`${prefix}/bell`, JSON.stringify({ pattern: [100], ts: Date.now() - 60_000 }), { qos: 1 });
    await until("stale refusal", () => obs.received.length > 0);
    expect(JSON.parse(obs.received[0].text).reason).toMatch(/^stale: sent 60 s ago; commands older than 5 s are refused\.$/);
    expect(proc.events.some(isPin("bell", 1))).toBe(false);
  });

  test("health telemetry is published at connect with the link and outbox figures", async () => {
    // Every second too, so an observer that subscribes after the connect still gets one.
    const { proc, prefix } = await device({ config: { healthPeriod: 1000 } });
    const obs = await observer([`${prefix}/health`]);
    await proc.waitFor(isConnected, "connected");
    await until("a health snapshot", () => obs.received.length > 0);
    const health = JSON.parse(obs.received[0].text);
    expect(health.freeMemory === null || typeof health.freeMemory === "number").toBe(true);
    expect(health).toEqual({
      uptime: expect.any(Number),
      broker: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/),
      reconnects: 0,
      outboxBytes: expect.any(Number),
      outboxMessages: expect.any(Number),
      drops: 0,
      dropsFull: 0,
      dropsTooLarge: 0,
      dropsRefused: 0,
      dropsInvalid: 0,
      coalesced: expect.any(Number),
      skipped: 0,
      freeMemory: health.freeMemory,
    });
  });

  test("after an outage, health counts every reading the full outbox refused", async () => {
    const { proc, prefix } = await device({ config: { sensorSamplePeriod: 20, sensorReportPeriod: 60_000, sensorDeadband: 0.5, outboxBytes: 512, healthPeriod: 1000 } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/health`], { reconnectPeriod: 200 });
    const from = proc.events.length;
    await fixture.broker.stop();
    await proc.waitFor((e) => e.type === "disconnected", "disconnected", 10_000, from);
    for (let value = 100; value < 140; value++) {
      proc.send(sensor(value));
      await sleep(25);
    }
    const refused = () => proc.events.filter((e) => e.type === "log" && e.line.startsWith("reading dropped: outbox full")).length;
    await until("readings refused by the full outbox", () => refused() >= 20);
    await fixture.broker.restart();
    await until("a health snapshot after the outage", () => obs.received.some((m) => JSON.parse(m.text).reconnects === 1), 20_000);
    const health = JSON.parse(obs.received.filter((m) => JSON.parse(m.text).reconnects === 1).at(-1)!.text);
    expect(health.dropsFull).toBeGreaterThanOrEqual(refused());
    expect(health.drops).toBe(health.dropsFull + health.dropsTooLarge + health.dropsRefused + health.dropsInvalid);
  });

  test("readings arrive as JSON with value, unit and timestamp", async () => {
    const { proc, prefix } = await device({ config: { sensorSamplePeriod: 100, sensorDeadband: 0.5 } });
    proc.send(sensor(20));
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/temperature`]);
    proc.send(sensor(25));
    await until("reading 25", () => obs.received.some((m) => JSON.parse(m.text).value === 25));
    const reading = JSON.parse(obs.received.find((m) => JSON.parse(m.text).value === 25)!.text);
    expect(reading).toEqual({ value: 25, unit: expect.any(String), ts: expect.any(Number) });
    expect(Math.abs(reading.ts - Date.now())).toBeLessThan(60_000);
  });

  test("killing the device process delivers offline on the status topic", async () => {
    const { proc, prefix } = await device({ config: { keepalive: 5 } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/status`]);
    await until("online", () => obs.received.some((m) => m.text === "online"));
    await proc.kill();
    await until("offline (the will)", () => obs.received.at(-1)?.text === "offline");
  });

  test("a clean stop publishes offline itself and exits 0", async () => {
    const { proc, prefix } = await device();
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/status`]);
    await until("online", () => obs.received.some((m) => m.text === "online"));
    expect(await proc.stop()).toBe(0);
    await until("offline", () => obs.received.at(-1)?.text === "offline");
  });

  test("readings made while the broker was down arrive after it returns, in order, with their times", async () => {
    const { proc, prefix } = await device({ config: { sensorSamplePeriod: 50, sensorDeadband: 0.5 } });
    proc.send(sensor(20));
    await proc.waitFor(isConnected, "connected");
    // A persistent QoS 1 session, so what the device sends before this peer is back is kept for it.
    const obs = await observer([`${prefix}/temperature`], { clientId: `obs-${prefix.replace(/\W/g, "")}`, clean: false, reconnectPeriod: 200 });
    const from = proc.events.length;
    await fixture.broker.stop();
    await proc.waitFor((e) => e.type === "disconnected", "disconnected", 10_000, from);
    const offlineFrom = Date.now();
    for (const value of [31, 32, 33]) {
      proc.send(sensor(value));
      await sleep(300);
    }
    const offlineTo = Date.now();
    await fixture.broker.restart();
    await until("the offline readings", () => obs.received.filter((m) => JSON.parse(m.text).value > 30).length >= 3, 20_000);
    const late = obs.received.map((m) => JSON.parse(m.text)).filter((r) => r.value > 30);
    expect(late.map((r) => r.value)).toEqual([31, 32, 33]);
    for (const r of late) {
      expect(r.ts).toBeGreaterThanOrEqual(offlineFrom - 50);
      expect(r.ts).toBeLessThanOrEqual(offlineTo);
    }
    expect(late[0].ts).toBeLessThan(late[1].ts);
    expect(late[1].ts).toBeLessThan(late[2].ts);
  });

  test("after an outage the broker hears online first, then fresh state and one health snapshot, then the buffered readings in order", async () => {
    const proxy = await startProxy(fixture.broker.port);
    try {
      const { proc, prefix } = await device({ broker: proxy.url, config: { sensorSamplePeriod: 50, sensorDeadband: 0.5, healthPeriod: 1000 } });
      proc.send(sensor(20));
      await proc.waitFor(isConnected, "connected");
      // The observer stays on the broker; only the device's link goes down.
      const obs = await observer([`${prefix}/#`]);
      await until("online", () => obs.on(`${prefix}/status`).some((m) => m.text === "online"));
      const from = proc.events.length;
      proxy.refuse(true);
      proxy.cut();
      await proc.waitFor((e) => e.type === "disconnected", "disconnected", 10_000, from);
      const offlineFrom = Date.now();
      for (const value of [51, 52, 53]) {
        proc.send(sensor(value));
        await sleep(250);
      }
      await sleep(1000); // a health snapshot is taken while offline, and goes stale
      const mark = obs.received.length;
      proxy.refuse(false);
      await until("the buffered readings", () => obs.on(`${prefix}/temperature`).filter((m) => JSON.parse(m.text).value > 50).length === 3, 20_000);
      const after = obs.received.slice(mark);
      const start = after.findIndex((m) => m.topic === `${prefix}/status` && m.text === "online");
      const story = after.slice(start, start + 8).map((m) => {
        const name = m.topic.slice(prefix.length + 1);
        if (name === "temperature") return `temperature ${JSON.parse(m.text).value}`;
        return name === "health" ? "health" : `${name} ${name === "config/state" ? "{...}" : m.text}`;
      });
      expect(story).toEqual(["status online", "lamp/state off", "relay/state off", "health", "config/state {...}", "temperature 51", "temperature 52", "temperature 53"]);
      const readings = after.filter((m) => m.topic === `${prefix}/temperature`).map((m) => JSON.parse(m.text));
      expect(readings.map((r) => r.ts)).toEqual([...readings.map((r) => r.ts)].sort((a, b) => a - b));
      expect(readings[0].ts).toBeGreaterThanOrEqual(offlineFrom - 100);
      expect(JSON.parse(after.find((m) => m.topic === `${prefix}/health`)!.text).reconnects).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  test("QoS 1 readings in the outbox survive a device restart over the same store", async () => {
    const first = await device({ config: { sensorSamplePeriod: 50, sensorDeadband: 0.5 } });
    const { prefix } = first;
    first.proc.send(sensor(20));
    await first.proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/temperature`], { clientId: `obs2-${prefix.replace(/\W/g, "")}`, clean: false, reconnectPeriod: 200 });
    await fixture.broker.stop();
    await first.proc.waitFor((e) => e.type === "disconnected", "disconnected");
    for (const value of [41, 42]) {
      first.proc.send(sensor(value));
      await sleep(300);
    }
    const taken = Date.now();
    await first.proc.kill();
    await fixture.broker.restart();
    const second = await device({ store: first.store, config: { deviceId: first.id, prefix, sensorSamplePeriod: 50, sensorDeadband: 0.5 } });
    await second.proc.waitFor(isConnected, "connected again");
    await until("the readings from before the restart", () => obs.received.filter((m) => JSON.parse(m.text).value > 40).length >= 2, 20_000);
    const kept = obs.received.map((m) => JSON.parse(m.text)).filter((r) => r.value > 40);
    expect(kept.map((r) => r.value)).toEqual([41, 42]);
    for (const r of kept) expect(r.ts).toBeLessThanOrEqual(taken);
  });

  test("live config is validated, applied and echoed; an invalid one is refused whole", async () => {
    const { proc, prefix } = await device();
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/config/state`, `${prefix}/error`]);
    await until("config echo at connect", () => obs.on(`${prefix}/config/state`).length > 0);
    await obs.client.publishAsync(`${prefix}/config`, '{"sensorSamplePeriod":1234,"sensorDeadband":"x"}', { qos: 1 });
    await until("refusal", () => obs.on(`${prefix}/error`).length > 0);
    expect(JSON.parse(obs.on(`${prefix}/error`)[0].text).reason).toBe("sensorDeadband must be a JSON number, not a string.");
    await obs.client.publishAsync(`${prefix}/config`, '{"sensorSamplePeriod":1234}', { qos: 1 });
    await until("echo of the change", () => obs.on(`${prefix}/config/state`).some((m) => JSON.parse(m.text).sensorSamplePeriod === 1234));
  });

  test("configTopic=false: no settings over MQTT, no config echo, and the device still obeys its commands", async () => {
    const { proc, prefix } = await device({ config: { configTopic: false } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/config/state`, `${prefix}/error`, `${prefix}/lamp/state`]);
    await until("the retained lamp state", () => obs.on(`${prefix}/lamp/state`).length > 0);
    await obs.client.publishAsync(`${prefix}/config`, '{"sensorSamplePeriod":1234}', { qos: 1 });
    // A command sent after the config message arrives after it: once the lamp is on, the config message has been passed over.
    await obs.client.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await proc.waitFor(isPin("lamp", 1), "lamp on");
    await until("lamp/state on", () => obs.on(`${prefix}/lamp/state`).some((m) => m.text === "on"));
    expect(obs.on(`${prefix}/config/state`)).toEqual([]);
    expect(obs.on(`${prefix}/error`)).toEqual([]);
  });

  test("the lamp state and live settings survive a restart over the same store", async () => {
    const first = await device();
    const { prefix } = first;
    await first.proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/config/state`]);
    await obs.client.publishAsync(`${prefix}/lamp`, "on", { qos: 1 });
    await first.proc.waitFor(isPin("lamp", 1), "lamp on");
    await obs.client.publishAsync(`${prefix}/config`, '{"sensorDeadband":3.5}', { qos: 1 });
    await until("echo", () => obs.received.some((m) => JSON.parse(m.text).sensorDeadband === 3.5));
    expect(await first.proc.stop()).toBe(0);

    const second = await device({ store: first.store, config: { deviceId: first.id, prefix } });
    await second.proc.waitFor(isPin("lamp", 1), "lamp restored on at boot");
    await second.proc.waitFor(isConnected, "connected again");
    const late = await observer([`${prefix}/config/state`, `${prefix}/lamp/state`]);
    await until("retained state and settings", () => late.received.length >= 2);
    expect(late.received.find((m) => m.topic === `${prefix}/lamp/state`)?.text).toBe("on");
    expect(JSON.parse(late.received.find((m) => m.topic === `${prefix}/config/state`)!.text).sensorDeadband).toBe(3.5);
  });

  test("Home Assistant discovery: one retained config per entity of the table, bound to the status topic", async () => {
    const { proc, prefix, id } = await device({ config: { discovery: true, discoveryPrefix: `ha-${engine}` } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`ha-${engine}/+/${id}/+/config`]);
    await until("seven configs", () => obs.received.length >= 7);
    const byTopic = Object.fromEntries(obs.received.map((m) => [m.topic.slice(`ha-${engine}/`.length, -"/config".length), JSON.parse(m.text)]));
    expect(Object.keys(byTopic).sort()).toEqual(
      ["button/bell", "device_automation/button_double", "device_automation/button_long", "device_automation/button_press", "light/lamp", "sensor/temperature", "switch/relay"].map((t) =>
        t.replace("/", `/${id}/`),
      ),
    );
    for (const config of Object.values(byTopic)) expect(config).toMatchObject({ "~": prefix, dev: { ids: id, name: id } });
    for (const [topic, config] of Object.entries(byTopic)) if (!topic.startsWith("device_automation/")) expect(config.avty_t).toBe("~/status");
    expect(byTopic[`switch/${id}/relay`]).toMatchObject({ cmd_t: "~/relay", stat_t: "~/relay/state", uniq_id: `${id}_relay` });
    expect(byTopic[`device_automation/${id}/button_long`]).toMatchObject({ atype: "trigger", t: "~/button", type: "button_long_press", pl: "long" });
    const late = await observer([`ha-${engine}/+/${id}/+/config`]);
    await until("seven retained configs for a late subscriber", () => late.received.length >= 7);
    expect(late.received.every((m) => m.retain)).toBe(true);
  });
});
