// The simulator's command line: its own flags, plus any other `--key=value` as a raw config key
// (parseConfig in src/config.ts coerces and validates those, exactly as it does mcconfig's strings).
// A name that is neither is refused, so a mistyped key is never silently ignored.
import { FIELDS, renamed } from "../src/config.js";

export interface SimulatorOptions {
  /** A broker URL; undefined: start the embedded Aedes broker. */
  broker: string | undefined;
  /** The store directory; undefined: one per device id under the OS temp directory. */
  store: string | undefined;
  clock: "real" | "virtual";
  /** Which engine runs src/: V8 in this process, or XS in an xsnap worker. */
  engine: "node" | "xs";
  /** XS engine: the stack the firmware may use, in slots; undefined: the board's (384). */
  stack: number | undefined;
  /** A PEM file of the CA to trust for mqtts:// brokers (else the system's). */
  ca: string | undefined;
  ndjson: boolean;
  /** Serve the browser panel: on by default, off with --no-panel or --ndjson (unless --panel-port). */
  panel: boolean;
  /** The panel's port; undefined: 8080 when free, else any free port. */
  panelPort: number | undefined;
  help: boolean;
  /** Raw config keys, strings as from mcconfig. */
  config: Record<string, string>;
}

export type ArgsResult = { ok: true; options: SimulatorOptions } | { ok: false; error: string };

export const USAGE = `usage: npm start -- [options] [--key=value ...]

  --broker URL      mqtt://host:port or mqtts://host:port (default: an embedded Aedes broker
                    on 127.0.0.1, port 1883 when free); env MQTT_BROKER
  --store DIR       where the device keeps its outbox and state (default: a directory per
                    device id under the OS temp directory)
  --ca FILE         PEM certificate(s) to trust for an mqtts:// broker
  --engine node|xs  node (default): the firmware runs in this process on V8; xs: it runs in
                    Moddable's XS engine (an xsnap worker), this process playing the board
  --stack SLOTS     xs engine: the XS stack left to the firmware (default 384, as on the ESP8266
                    and in the Moddable simulator; 0: all of xsnap's 4096)
  --clock real|virtual
                    virtual: time moves only on {"type":"advance","ms":N} lines on stdin
  --ndjson          one JSON object per line on stdout (the device-process protocol); no
                    panel unless --panel-port is given
  --no-panel        no browser panel (by default it is served on http://127.0.0.1:8080/)
  --panel-port N    the panel's port (0: any free one; default 8080 when free)
  --key=value       any config key: deviceId, prefix, relayPin, sensorSamplePeriod, ...
                    env MQTT_USER, MQTT_PASSWORD, DEVICE_ID set mqttUser, mqttPassword, deviceId

stdin, one line each: {"type":"input","name":"sensor","value":750}  {"type":"press","name":"button","ms":100}
{"type":"advance","ms":1000}  {"type":"stop"}
(or, typed: input sensor 750 | input sensor auto | press button [MS] | advance 1000 | stop)`;

const ENV_KEYS: Readonly<Record<string, string>> = Object.freeze({
  MQTT_BROKER: "broker",
  MQTT_USER: "mqttUser",
  MQTT_PASSWORD: "mqttPassword",
  DEVICE_ID: "deviceId",
});

const VALUED = new Set(["broker", "store", "clock", "engine", "stack", "ca", "panel-port"]);
const OWN = new Set(["store", "clock", "engine", "stack", "ca", "panel-port"]);
const SWITCHES = new Set(["ndjson", "help", "no-panel"]);

export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ArgsResult {
  const values: Record<string, string> = {};
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== "") values[key] = value;
  }
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      switches.add("help");
      continue;
    }
    if (!arg.startsWith("--") || arg.length === 2) return { ok: false, error: `unexpected argument "${arg}"` };
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUED.has(name) && !SWITCHES.has(name) && !Object.prototype.hasOwnProperty.call(FIELDS, name)) {
      const hint = renamed(name);
      if (hint) return { ok: false, error: `--${hint}` };
      return { ok: false, error: `unknown option --${name}: neither a simulator option nor a config key (${Object.keys(FIELDS).join(", ")})` };
    }
    if (SWITCHES.has(name) && eq < 0) {
      switches.add(name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
    else if (VALUED.has(name)) return { ok: false, error: `--${name} needs a value` };
    else value = "true"; // a bare config flag such as --discovery
    values[name] = value;
  }
  const clock = values.clock ?? "real";
  if (clock !== "real" && clock !== "virtual") {
    return { ok: false, error: `--clock must be real or virtual; got "${clock}"` };
  }
  const engine = values.engine ?? "node";
  if (engine !== "node" && engine !== "xs") {
    return { ok: false, error: `--engine must be node or xs; got "${engine}"` };
  }
  const stack = values.stack === undefined ? undefined : Number(values.stack);
  if (stack !== undefined && !(Number.isInteger(stack) && stack >= 0 && stack <= 4096)) {
    return { ok: false, error: `--stack must be a whole number of slots from 0 to 4096; got "${values.stack}"` };
  }
  const panelPort = values["panel-port"] === undefined ? undefined : Number(values["panel-port"]);
  if (panelPort !== undefined && !(Number.isInteger(panelPort) && panelPort >= 0 && panelPort <= 65535)) {
    return { ok: false, error: `--panel-port must be a port number from 0 to 65535; got "${values["panel-port"]}"` };
  }
  const ndjson = switches.has("ndjson");
  // broker is a config key as well; store, clock and ca are the simulator's alone.
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (!OWN.has(key)) config[key] = value;
  return {
    ok: true,
    options: {
      broker: values.broker,
      store: values.store,
      clock,
      engine,
      stack,
      ca: values.ca,
      ndjson,
      panel: !switches.has("no-panel") && (panelPort !== undefined || !ndjson),
      panelPort,
      help: switches.has("help"),
      config,
    },
  };
}
