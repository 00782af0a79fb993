import { applyLive, FIELDS, LIVE_KEYS, parseConfig } from "../../src/config.js";

describe("parseConfig", () => {
  test("empty input gives the documented defaults", () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.prefix).toBe("home/office");
    expect(result.config.discovery).toBe(true);
    expect(result.config.lampRetained).toBe(false);
    expect(Object.keys(result.config).sort()).toEqual(Object.keys(FIELDS).sort());
  });

  test("each device of the table brings its settings under its name: relayPin, buttonLong, sensorSamplePeriod", () => {
    const result = parseConfig({ relayPin: "5", relayAutoOff: "30", buttonLong: "1000", sensorSamplePeriod: "2000" });
    expect(result).toMatchObject({ ok: true, config: { relayPin: 5, relayAutoOff: 30, relayActiveLow: false, buttonPin: 27, buttonLong: 1000, buttonActiveLow: true, sensorSamplePeriod: 2000 } });
    expect(FIELDS.relayAutoOff).toMatchObject({ kind: "integer", min: 0 });
    expect(LIVE_KEYS).toEqual(["bellMaxDuration", "bellMaxRate", "sensorSamplePeriod", "sensorReportPeriod", "sensorDeadband"]);
    const bad = parseConfig({ relayPin: "D5", buttonDebounce: "0" });
    expect(bad).toEqual({ ok: false, errors: ['relayPin must be an integer; got "D5".', "buttonDebounce must be between 1 and 1000; got 0."] });
  });

  test("a renamed key is refused with its new name, not ignored", () => {
    expect(parseConfig({ samplePeriod: "1000", deadband: "1" })).toEqual({
      ok: false,
      errors: ["samplePeriod is now called sensorSamplePeriod.", "deadband is now called sensorDeadband."],
    });
  });

  test("strings from mcconfig are coerced to numbers and booleans", () => {
    const result = parseConfig({ sensorSamplePeriod: "30000", discovery: "0", lampRetained: "1", sensorDeadband: "0.25" });
    expect(result).toMatchObject({
      ok: true,
      config: { sensorSamplePeriod: 30000, discovery: false, lampRetained: true, sensorDeadband: 0.25 },
    });
  });

  test("an empty string for a number takes the default; unknown keys are ignored", () => {
    const result = parseConfig({ keepalive: "", sntp: "pool.ntp.org" });
    expect(result).toMatchObject({ ok: true, config: { keepalive: 60 } });
  });

  test("maxPacketBytes bounds what the broker may send: 4096 by default, at least 128", () => {
    expect(parseConfig({})).toMatchObject({ ok: true, config: { maxPacketBytes: 4096 } });
    expect(parseConfig({ maxPacketBytes: "1024" })).toMatchObject({ ok: true, config: { maxPacketBytes: 1024 } });
    const small = parseConfig({ maxPacketBytes: "100" });
    expect(small.ok).toBe(false);
    if (!small.ok) expect(small.errors[0]).toMatch(/^maxPacketBytes must be/);
  });

  test("broker takes one URL or several, comma-separated; brokerOrder is listed or random", () => {
    const list = "mqtt://10.0.0.1:1883,mqtt://10.0.0.2:1883, mqtts://node3.example:8883";
    expect(parseConfig({ broker: list, brokerOrder: "random" })).toMatchObject({ ok: true, config: { broker: list, brokerOrder: "random" } });
    expect(parseConfig({})).toMatchObject({ ok: true, config: { brokerOrder: "listed" } });
    const empty = parseConfig({ broker: "mqtt://10.0.0.1:1883,," });
    expect(!empty.ok && empty.errors[0]).toMatch(/^broker must be a URL such as .*, or several separated by commas/);
    const order = parseConfig({ brokerOrder: "roundrobin" });
    expect(!order.ok && order.errors[0]).toBe('brokerOrder must be listed or random; got "roundrobin".');
  });

  test("configTopic takes true, false or live keys; a key that is not live is refused by name", () => {
    for (const value of ["true", "false", "sensorSamplePeriod,bellMaxRate"]) expect(parseConfig({ configTopic: value })).toMatchObject({ ok: true, config: { configTopic: value } });
    const result = parseConfig({ configTopic: "sensorSamplePeriod,broker" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(/^configTopic: broker is not a live key \(live keys: .*sensorSamplePeriod/);
  });

  test("TLS keys: a client certificate and its key go together; the oldest version is 1.2 or 1.3", () => {
    expect(parseConfig({ tlsCert: "client.pem" })).toEqual({ ok: false, errors: [expect.stringMatching(/^tlsCert and tlsKey go together/)] });
    expect(parseConfig({ tlsCert: "client.pem", tlsKey: "client.key", tlsAlpn: "x-amzn-mqtt-ca,mqtt" })).toMatchObject({ ok: true });
    expect(parseConfig({ tlsMinVersion: "1.1" }).ok).toBe(false);
  });

  test("each error is a sentence naming the key", () => {
    const result = parseConfig({
      broker: "http://x",
      keepalive: "soon",
      sensorSamplePeriod: "5",
      discovery: "maybe",
      deviceId: "has space",
      prefix: "home/#",
      bellMaxRate: 1.5,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const key of ["broker", "keepalive", "sensorSamplePeriod", "discovery", "deviceId", "prefix", "bellMaxRate"])
      expect(result.errors.some((e) => e.startsWith(`${key} must be`))).toBe(true);
    expect(result.errors).toHaveLength(7);
  });

  test("broker URLs accept mqtt, mqtts, ws and wss, host names, IPv4 and bracketed IPv6", () => {
    for (const broker of ["mqtt://127.0.0.1:1883", "mqtts://broker.example.com:8883", "mqtt://[::1]:1883", "mqtt://h", "ws://h:1", "wss://h/mqtt", "ws://[::1]:8080/a/b"])
      expect(parseConfig({ broker }).ok).toBe(true);
    for (const broker of ["127.0.0.1:1883", "mqtt://", "http://h:1", "mqtt://h:1/x", "ws://h:1/a?b"])
      expect(parseConfig({ broker }).ok).toBe(false);
  });
});

describe("applyLive", () => {
  const base = (() => {
    const r = parseConfig({});
    if (!r.ok) throw new Error("defaults invalid");
    return r.config;
  })();

  test("valid live keys are applied", () => {
    expect(applyLive(base, { sensorSamplePeriod: 2000, sensorDeadband: 1 })).toMatchObject({
      ok: true,
      config: { sensorSamplePeriod: 2000, sensorDeadband: 1, prefix: "home/office" },
    });
  });

  test("one bad key refuses the whole change", () => {
    const result = applyLive(base, { sensorSamplePeriod: 2000, sensorDeadband: -1 });
    expect(result).toEqual({ ok: false, errors: ["sensorDeadband must be between 0 and 1000000; got -1."] });
  });

  test("non-live keys, unknown keys, strings and non-objects are refused", () => {
    expect(applyLive(base, { prefix: "x" })).toMatchObject({ ok: false, errors: ["prefix cannot be changed at run time."] });
    expect(applyLive(base, { volume: 3 })).toMatchObject({ ok: false, errors: ["volume is not a setting."] });
    expect(applyLive(base, { reportPeriod: 3 })).toMatchObject({ ok: false, errors: ["reportPeriod is now called sensorReportPeriod."] });
    expect(applyLive(base, { sensorSamplePeriod: "2000" }).ok).toBe(false);
    expect(applyLive(base, [1]).ok).toBe(false);
    expect(applyLive(base, null).ok).toBe(false);
    expect(applyLive(base, {}).ok).toBe(false);
  });
});
