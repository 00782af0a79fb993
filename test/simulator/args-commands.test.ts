import { parseArgs } from "../../simulator/args.js";
import { parseCommand } from "../../simulator/commands.js";

describe("simulator flags", () => {
  test("reads its own flags in both --name value and --name=value forms", () => {
    const result = parseArgs(["--broker", "mqtt://127.0.0.1:1999", "--store=/s", "--clock", "virtual", "--ndjson"], {});
    expect(result).toEqual({
      ok: true,
      options: {
        broker: "mqtt://127.0.0.1:1999",
        store: "/s",
        clock: "virtual",
        engine: "node",
        stack: undefined,
        ca: undefined,
        ndjson: true,
        help: false,
        config: { broker: "mqtt://127.0.0.1:1999" },
      },
    });
  });

  test("takes --ca as the simulator's own, not as a config key", () => {
    const result = parseArgs(["--ca", "ca.pem", "--broker=mqtts://localhost:8883"], {});
    expect(result.ok && result.options.ca).toBe("ca.pem");
    expect(result.ok && result.options.config).toEqual({ broker: "mqtts://localhost:8883" });
  });

  test("passes any other --key=value through as a raw config string, a bare key as true", () => {
    const result = parseArgs(["--deviceId=desk", "--samplePeriod", "1000", "--discovery"], {});
    expect(result.ok && result.options.config).toEqual({ deviceId: "desk", samplePeriod: "1000", discovery: "true" });
    expect(result.ok && result.options.broker).toBeUndefined();
    expect(result.ok && result.options.clock).toBe("real");
  });

  test("--engine picks node (the default) or xs, and is not a config key", () => {
    const xs = parseArgs(["--engine", "xs", "--deviceId=d"], {});
    expect(xs.ok && xs.options.engine).toBe("xs");
    expect(xs.ok && xs.options.config).toEqual({ deviceId: "d" });
    expect(parseArgs(["--engine=v8"], {})).toEqual({ ok: false, error: '--engine must be node or xs; got "v8"' });
  });

  test("a name that is neither a simulator option nor a config key is refused, naming the keys", () => {
    const result = parseArgs(["--deviceid=desk"], {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/^unknown option --deviceid: neither a simulator option nor a config key/);
      expect(result.error).toContain("deviceId");
    }
  });

  test("takes the broker and credentials from the environment, flags winning", () => {
    const env = { MQTT_BROKER: "mqtt://10.0.0.2:1883", MQTT_USER: "u", DEVICE_ID: "env-id" };
    const fromEnv = parseArgs([], env);
    expect(fromEnv.ok && fromEnv.options.broker).toBe("mqtt://10.0.0.2:1883");
    expect(fromEnv.ok && fromEnv.options.config).toEqual({ broker: "mqtt://10.0.0.2:1883", mqttUser: "u", deviceId: "env-id" });
    const flagged = parseArgs(["--deviceId=flag-id"], env);
    expect(flagged.ok && flagged.options.config.deviceId).toBe("flag-id");
  });

  test("refuses a bad clock, a missing value and a stray word, saying which", () => {
    expect(parseArgs(["--clock=fast"], {})).toEqual({ ok: false, error: '--clock must be real or virtual; got "fast"' });
    expect(parseArgs(["--broker"], {})).toEqual({ ok: false, error: "--broker needs a value" });
    expect(parseArgs(["lamp"], {})).toEqual({ ok: false, error: 'unexpected argument "lamp"' });
  });
});

describe("simulator stdin commands", () => {
  test("reads the protocol's JSON lines", () => {
    expect(parseCommand('{"type":"sensor","value":23.5}')).toEqual({ ok: true, command: { type: "sensor", value: 23.5 } });
    expect(parseCommand('{"type":"sensor","value":null}')).toEqual({ ok: true, command: { type: "sensor", value: undefined } });
    expect(parseCommand('{"type":"advance","ms":250}')).toEqual({ ok: true, command: { type: "advance", ms: 250 } });
    expect(parseCommand('{"type":"stop"}')).toEqual({ ok: true, command: { type: "stop" } });
  });

  test("reads the same commands typed by a person", () => {
    expect(parseCommand("sensor 19")).toEqual({ ok: true, command: { type: "sensor", value: 19 } });
    expect(parseCommand("sensor auto")).toEqual({ ok: true, command: { type: "sensor", value: undefined } });
    expect(parseCommand("advance 1000")).toEqual({ ok: true, command: { type: "advance", ms: 1000 } });
    expect(parseCommand(" stop ")).toEqual({ ok: true, command: { type: "stop" } });
    expect(parseCommand("")).toEqual({ ok: true, command: undefined });
  });

  test("refuses malformed commands with a reason instead of acting", () => {
    expect(parseCommand('{"type":"sensor","value":"hot"}')).toMatchObject({ ok: false, error: expect.stringMatching(/finite number/) });
    expect(parseCommand('{"type":"advance","ms":-5}')).toMatchObject({ ok: false, error: expect.stringMatching(/>= 0/) });
    expect(parseCommand('{"type":"reboot"}')).toEqual({ ok: false, error: 'unknown command type "reboot"' });
    expect(parseCommand("{nope")).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseCommand("sensor")).toMatchObject({ ok: false });
    expect(parseCommand("dance")).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command "dance"/) });
  });
});
