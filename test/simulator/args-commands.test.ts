import { parseArgs } from "../../simulator/args.js";
import { parseCommand } from "../../simulator/commands.js";
import { driveInput } from "../../simulator/inputs.js";
import { VirtualAnalog, VirtualPins } from "../../hosts/node/pins.js";
import { VirtualClock } from "../support/virtual-clock.js";

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
        panel: false,
        panelPort: undefined,
        help: false,
        config: { broker: "mqtt://127.0.0.1:1999" },
      },
    });
  });

  test("serves the panel by default, not with --no-panel, and with --ndjson only when --panel-port is given", () => {
    const panel = (...argv: string[]) => {
      const result = parseArgs(argv, {});
      return result.ok ? [result.options.panel, result.options.panelPort] : result.error;
    };
    expect(panel()).toEqual([true, undefined]);
    expect(panel("--no-panel")).toEqual([false, undefined]);
    expect(panel("--ndjson")).toEqual([false, undefined]);
    expect(panel("--ndjson", "--panel-port", "0")).toEqual([true, 0]);
    expect(panel("--panel-port=9090")).toEqual([true, 9090]);
    expect(panel("--panel-port", "70000")).toBe('--panel-port must be a port number from 0 to 65535; got "70000"');
    const result = parseArgs(["--panel-port", "0"], {});
    expect(result.ok && result.options.config).toEqual({});
  });

  test("takes --ca as the simulator's own, not as a config key", () => {
    const result = parseArgs(["--ca", "ca.pem", "--broker=mqtts://localhost:8883"], {});
    expect(result.ok && result.options.ca).toBe("ca.pem");
    expect(result.ok && result.options.config).toEqual({ broker: "mqtts://localhost:8883" });
  });

  test("passes any other --key=value through as a raw config string, a bare key as true", () => {
    const result = parseArgs(["--deviceId=desk", "--sensorSamplePeriod", "1000", "--discovery", "--lampPin=5"], {});
    expect(result.ok && result.options.config).toEqual({ deviceId: "desk", sensorSamplePeriod: "1000", discovery: "true", lampPin: "5" });
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
    expect(parseArgs(["--samplePeriod=5"], {})).toEqual({ ok: false, error: "--samplePeriod is now called sensorSamplePeriod." });
  });
});

describe("simulator stdin commands", () => {
  test("reads the protocol's JSON lines", () => {
    expect(parseCommand('{"type":"input","name":"sensor","value":735}')).toEqual({ ok: true, command: { type: "input", name: "sensor", value: 735 } });
    expect(parseCommand('{"type":"input","name":"sensor","value":null}')).toEqual({ ok: true, command: { type: "input", name: "sensor", value: null } });
    expect(parseCommand('{"type":"press","name":"button","ms":900}')).toEqual({ ok: true, command: { type: "press", name: "button", ms: 900 } });
    expect(parseCommand('{"type":"press","name":"button"}')).toEqual({ ok: true, command: { type: "press", name: "button", ms: 100 } });
    expect(parseCommand('{"type":"advance","ms":250}')).toEqual({ ok: true, command: { type: "advance", ms: 250 } });
    expect(parseCommand('{"type":"stop"}')).toEqual({ ok: true, command: { type: "stop" } });
  });

  test("reads the same commands typed by a person", () => {
    expect(parseCommand("input sensor 750")).toEqual({ ok: true, command: { type: "input", name: "sensor", value: 750 } });
    expect(parseCommand("input sensor auto")).toEqual({ ok: true, command: { type: "input", name: "sensor", value: null } });
    expect(parseCommand("input button 0")).toEqual({ ok: true, command: { type: "input", name: "button", value: 0 } });
    expect(parseCommand("press button")).toEqual({ ok: true, command: { type: "press", name: "button", ms: 100 } });
    expect(parseCommand("press button 1000")).toEqual({ ok: true, command: { type: "press", name: "button", ms: 1000 } });
    expect(parseCommand("advance 1000")).toEqual({ ok: true, command: { type: "advance", ms: 1000 } });
    expect(parseCommand(" stop ")).toEqual({ ok: true, command: { type: "stop" } });
    expect(parseCommand("")).toEqual({ ok: true, command: undefined });
  });

  test("refuses malformed commands with a reason instead of acting", () => {
    expect(parseCommand('{"type":"input","name":"sensor","value":"hot"}')).toMatchObject({ ok: false, error: expect.stringMatching(/finite number/) });
    expect(parseCommand('{"type":"input","value":1}')).toMatchObject({ ok: false, error: "input needs the name of an input" });
    expect(parseCommand('{"type":"advance","ms":-5}')).toMatchObject({ ok: false, error: expect.stringMatching(/>= 0/) });
    expect(parseCommand("press button soon")).toMatchObject({ ok: false, error: expect.stringMatching(/milliseconds/) });
    expect(parseCommand('{"type":"reboot"}')).toEqual({ ok: false, error: 'unknown command type "reboot"' });
    expect(parseCommand("{nope")).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseCommand("input sensor")).toMatchObject({ ok: false });
    expect(parseCommand("dance")).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command "dance"/) });
  });
});

describe("driving inputs", () => {
  function pins() {
    const clock = new VirtualClock();
    const pins = new VirtualPins(clock);
    const edges: number[] = [];
    pins.input("button", 27, { pull: "up", onChange: (value) => edges.push(value) });
    pins.analog("sensor", 34);
    pins.output("lamp", 2);
    return { clock, pins, edges };
  }

  test("press holds a digital input away from its rest for the time given; input sets a level or millivolts", () => {
    const { clock, pins: all, edges } = pins();
    expect(driveInput(all, clock, { type: "press", name: "button", ms: 150 })).toBeUndefined();
    clock.advance(149);
    expect(edges).toEqual([0]);
    clock.advance(1);
    expect(edges).toEqual([0, 1]);
    expect(driveInput(all, clock, { type: "input", name: "sensor", value: 750 })).toBeUndefined();
    expect((all.get("sensor") as VirtualAnalog).read()).toBe(750);
    driveInput(all, clock, { type: "input", name: "sensor", value: null });
    expect((all.get("sensor") as VirtualAnalog).read()).not.toBe(750);
  });

  test("names the device's inputs when asked for one it does not have, and refuses a kind mismatch", () => {
    const { clock, pins: all } = pins();
    expect(driveInput(all, clock, { type: "press", name: "lamp", ms: 1 })).toBe('no input named "lamp"; the device\'s inputs: button, sensor');
    expect(driveInput(all, clock, { type: "press", name: "sensor", ms: 1 })).toBe('"sensor" is an analog input: press takes a digital one');
    expect(driveInput(all, clock, { type: "input", name: "button", value: null })).toBe('"button" is a digital input: give it 0 or 1');
  });
});
