import { createHealth } from "../../src/entities/health.js";
import { BIRTH_RETRY, birth, goodbye, GOODBYE_WAIT, will } from "../../src/entities/presence.js";
import { ErrorCode } from "../../src/mqtt/errors.js";
import { createSettings, restoreSettings, SETTINGS_KEY } from "../../src/entities/settings.js";
import { decodeUtf8, encodeUtf8 } from "../../src/utf8.js";
import type { Config } from "../../src/config.js";
import { MemoryStore } from "../support/memory-store.js";
import { config, setup } from "./fakes.js";

describe("health", () => {
  test("publishes a snapshot every healthPeriod and on connect, coalesced at QoS 0", () => {
    const { link, clock, context } = setup({ healthPeriod: 10_000 });
    const stats = { broker: "mqtt://b.test:1883", reconnects: 2, outboxBytes: 300, outboxMessages: 3, drops: 6, dropsFull: 1, dropsTooLarge: 2, dropsRefused: 3, dropsInvalid: 0, coalesced: 4, skipped: 5 };
    const health = createHealth(context, () => stats);
    clock.advance(25_000);
    health.connected?.();
    const snapshots = link.on("home/office/health");
    expect(snapshots.map((p) => JSON.parse(p.text).uptime)).toEqual([10, 20, 25]);
    expect(JSON.parse(snapshots[0].text)).toEqual({ uptime: 10, ...stats, freeMemory: 123456 });
    expect(snapshots[0].options).toEqual({ qos: 0, coalesce: true });
    health.stop();
    expect(clock.pending()).toBe(0);
  });
});

describe("refused publishes on the error topic", () => {
  test("each is logged; at most 5 a minute are reported, the next report counting those left out", () => {
    const { link, clock, context, logs } = setup();
    for (let i = 0; i < 8; i++) {
      context.refused({ code: "publish-refused", message: "broker refused the message: not authorized", reasonCode: 0x87, topic: `home/office/t${i}` });
    }
    expect(logs.filter((line) => line.startsWith("not delivered to home/office/t"))).toHaveLength(8);
    const reports = () => link.on("home/office/error").map((p) => JSON.parse(p.text));
    expect(reports()).toHaveLength(5);
    expect(reports()[0]).toEqual({ topic: "home/office/t0", reason: "broker refused the message: not authorized" });
    clock.advance(60_000);
    context.refused({ code: "too-large", message: "the message is 9000 bytes; the broker takes at most 4096", topic: "home/office/t8" });
    expect(reports()[5]).toEqual({ topic: "home/office/t8", reason: "the message is 9000 bytes; the broker takes at most 4096", unreported: 3 });
    expect(link.on("home/office/error").every((p) => p.options?.qos === 0)).toBe(true);
  });
});

describe("presence", () => {
  test("the will is offline, retained, on the status topic; birth is online, retained", () => {
    const { link, clock } = setup();
    const cfg = config();
    expect(will(cfg)).toEqual({ topic: "home/office/status", payload: "offline", qos: 1, retain: true });
    birth(link, cfg, clock);
    expect(link.published).toEqual([{ topic: "home/office/status", text: "online", options: { qos: 1, retain: true, coalesce: true } }]);
  });

  test("a birth the full outbox refuses is tried again while connected, until it is taken", () => {
    const { link, clock } = setup();
    let room = 2;
    const publish = link.publish.bind(link);
    link.publish = (topic, payload, options, done) =>
      room-- > 0 ? { code: ErrorCode.OUTBOX_FULL, message: "outbox full", topic } : publish(topic, payload, options, done);
    birth(link, config(), clock);
    clock.advance(BIRTH_RETRY);
    expect(link.on("home/office/status")).toEqual([]);
    clock.advance(BIRTH_RETRY);
    expect(link.on("home/office/status").map((p) => p.text)).toEqual(["online"]);
    expect(clock.pending()).toBe(0);
    // Disconnected meanwhile: it stops trying (the next CONNACK brings a birth of its own).
    room = 1;
    birth(link, config(), clock);
    link.connected = false;
    clock.advance(BIRTH_RETRY);
    expect(link.on("home/office/status")).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  test("goodbye publishes offline and continues once it is acknowledged", () => {
    const { link, clock } = setup();
    let done = 0;
    goodbye(link, config(), clock, () => done++);
    expect(link.on("home/office/status").map((p) => p.text)).toEqual(["offline"]);
    expect(done).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  test("goodbye continues after GOODBYE_WAIT when no acknowledgement comes, and at once when offline", () => {
    const { link, clock } = setup();
    link.acknowledge = false;
    let done = 0;
    goodbye(link, config(), clock, () => done++);
    clock.advance(GOODBYE_WAIT - 1);
    expect(done).toBe(0);
    clock.advance(1);
    expect(done).toBe(1);
    link.connected = false;
    goodbye(link, config(), clock, () => done++);
    expect(done).toBe(2);
    expect(link.on("home/office/status")).toHaveLength(1);
  });
});

describe("live settings", () => {
  test("a valid change is applied, persisted and echoed retained", () => {
    const { link, store, context } = setup();
    const applied: Config[] = [];
    createSettings(context, (c) => applied.push(c));
    link.deliver("home/office/config", '{"sensorSamplePeriod":2000,"bellMaxRate":3}');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ sensorSamplePeriod: 2000, bellMaxRate: 3 });
    const echo = link.on("home/office/config/state");
    expect(JSON.parse(echo[0].text)).toEqual({ sensorSamplePeriod: 2000, sensorReportPeriod: 60000, sensorDeadband: 0.5, bellMaxDuration: 10000, bellMaxRate: 3 });
    expect(echo[0].options).toMatchObject({ retain: true });
    expect(JSON.parse(decodeUtf8(store.read(SETTINGS_KEY)!)!)).toMatchObject({ sensorSamplePeriod: 2000, bellMaxRate: 3 });
  });

  test("anything invalid is refused whole, with every reason", () => {
    const { link, store, context } = setup();
    const applied: Config[] = [];
    createSettings(context, (c) => applied.push(c));
    link.deliver("home/office/config", '{"sensorSamplePeriod":2000,"sensorDeadband":"big","prefix":"x"}');
    link.deliver("home/office/config", "fast");
    expect(applied).toEqual([]);
    expect(store.read(SETTINGS_KEY)).toBeUndefined();
    expect(link.errors().map((e) => e.reason)).toEqual([
      "sensorDeadband must be a JSON number, not a string. prefix cannot be changed at run time.",
      "config must be a JSON object of settings.",
    ]);
  });

  test("configTopic naming keys: a change of those is applied, a change touching any other is refused whole", () => {
    const { link, context } = setup({ configTopic: "sensorSamplePeriod,sensorReportPeriod" });
    const applied: Config[] = [];
    createSettings(context, (c) => applied.push(c));
    link.deliver("home/office/config", '{"sensorSamplePeriod":2000}');
    link.deliver("home/office/config", '{"sensorSamplePeriod":3000,"bellMaxRate":30}');
    expect(applied.map((c) => c.sensorSamplePeriod)).toEqual([2000]);
    expect(applied[0].bellMaxRate).toBe(config().bellMaxRate);
    expect(link.errors().map((e) => e.reason)).toEqual(["bellMaxRate may not be changed over MQTT here (configTopic allows sensorSamplePeriod, sensorReportPeriod)."]);
  });

  test("persisted settings are restored at boot; a stored value that no longer validates is ignored", () => {
    const store = new MemoryStore();
    const logs: string[] = [];
    store.write(SETTINGS_KEY, encodeUtf8('{"sensorDeadband":2}'));
    expect(restoreSettings(store, config(), (l) => logs.push(l)).sensorDeadband).toBe(2);
    store.write(SETTINGS_KEY, encodeUtf8('{"sensorDeadband":-2}'));
    expect(restoreSettings(store, config(), (l) => logs.push(l)).sensorDeadband).toBe(0.5);
    store.write(SETTINGS_KEY, Uint8Array.of(0xff));
    expect(restoreSettings(store, config(), (l) => logs.push(l)).sensorDeadband).toBe(0.5);
    expect(logs).toHaveLength(2);
  });

  test("settings stored under keys since renamed are restored under their new names", () => {
    const store = new MemoryStore();
    store.write(SETTINGS_KEY, encodeUtf8('{"samplePeriod":2000,"reportPeriod":9000,"deadband":2,"bellMaxRate":3}'));
    const logs: string[] = [];
    expect(restoreSettings(store, config(), (l) => logs.push(l))).toMatchObject({ sensorSamplePeriod: 2000, sensorReportPeriod: 9000, sensorDeadband: 2, bellMaxRate: 3 });
    expect(logs).toEqual([]);
  });
});
