// Parses and validates the device configuration from flat raw keys: strings from mcconfig or
// command-line flags, or typed values from JSON. One table names every key with its kind, default,
// bounds and meaning: the core keys below, then each device's own (src/devices.ts), so the parser,
// the live-config refusals, `--help` and the README's reference cannot disagree.
import { DEVICES } from "./devices.js";
import { clip, coerce, frozenFields, settingKey, type Field, type Value } from "./fields.js";
import type { DeviceLine } from "./entities/entity.js";

export type { Field };

/** The keys every device has, whatever its table. */
export interface CoreConfig {
  broker: string;
  brokerOrder: string;
  deviceId: string;
  prefix: string;
  mqttUser: string;
  mqttPassword: string;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
  tlsAlpn: string;
  tlsMinVersion: string;
  protocolVersion: number;
  keepalive: number;
  healthPeriod: number;
  commandMaxAge: number;
  discovery: boolean;
  discoveryPrefix: string;
  outboxBytes: number;
  maxPacketBytes: number;
  reconnectMax: number;
  configTopic: string;
  ssid: string;
  password: string;
}

/** The core keys, and each device's settings under its own keys (`lampPin`, `relayAutoOff`, ...). */
export type Config = CoreConfig & { readonly [key: string]: Value };

export type ParseResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const TOPIC_PREFIX = /^[^#+\u0000]+$/;
const BROKER_URL = "(mqtts?:\\/\\/(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?\\/?|wss?:\\/\\/(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?(\\/[A-Za-z0-9._~\\/-]*)?)";
/** One broker URL, or several separated by commas (spaces allowed after a comma). */
const BROKERS = new RegExp(`^${BROKER_URL}(, *${BROKER_URL})*$`);
const DAY = 86_400_000;

const CORE: Readonly<Record<keyof CoreConfig, Field>> = frozenFields({
  broker: {
    kind: "string",
    default: "mqtt://127.0.0.1:1883",
    pattern: BROKERS,
    rule: "a URL such as mqtt://host:1883, mqtts://host:8883 or ws://host:8080/mqtt, or several separated by commas",
    doc: "the broker: `mqtt://host[:port]`, `mqtts://host[:port]`, or MQTT over WebSocket `ws[s]://host[:port][/path]` (Node and the desktop XS engine only). Several, comma-separated, are nodes of one cluster: the device stays on one while it works and moves on when it fails",
  },
  brokerOrder: {
    kind: "string",
    default: "listed",
    pattern: /^(listed|random)$/,
    rule: "listed or random",
    doc: "with several brokers: `listed` tries them in the order given, `random` starts anywhere and moves to another at random (spreads a fleet over the nodes)",
  },
  deviceId: {
    kind: "string",
    default: "xs-device",
    pattern: /^[A-Za-z0-9_-]{1,23}$/,
    rule: "1 to 23 letters, digits, '-' or '_'",
    doc: "the MQTT client id, and the device's name in Home Assistant",
  },
  prefix: {
    kind: "string",
    default: "home/office",
    pattern: TOPIC_PREFIX,
    rule: "a non-empty topic without '+', '#' or NUL",
    doc: "the topic every device topic goes under",
  },
  mqttUser: { kind: "string", default: "", doc: "user name for the broker (empty: none)" },
  mqttPassword: { kind: "string", default: "", doc: "password for the broker", secret: true },
  tlsCa: {
    kind: "string",
    default: "",
    doc: "for mqtts:// and wss://: the CA the broker's certificate must lead to (Node: PEM text or a PEM file; Moddable: a DER resource such as `ca.der`); empty: the host's trust store",
  },
  tlsCert: { kind: "string", default: "", doc: "client certificate for mutual TLS, with `tlsKey` (Node: PEM text or file; Moddable: a DER resource)" },
  tlsKey: { kind: "string", default: "", doc: "the client certificate's private key (Node: PEM text or file; Moddable: a DER resource)", secret: true },
  tlsAlpn: {
    kind: "string",
    default: "",
    pattern: /^$|^[!-+\--~]{1,255}(,[!-+\--~]{1,255})*$/,
    rule: "protocol names separated by commas, such as x-amzn-mqtt-ca",
    doc: "ALPN protocols offered in the TLS handshake, comma-separated (AWS IoT Core on port 443: `x-amzn-mqtt-ca`)",
  },
  tlsMinVersion: { kind: "string", default: "1.2", pattern: /^1\.[23]$/, rule: '"1.2" or "1.3"', doc: "oldest TLS version accepted: 1.2 or 1.3" },
  protocolVersion: { kind: "integer", default: 5, min: 3, max: 5, doc: "MQTT 5 (falls back to 3.1.1 for a broker that refuses it), 4 (3.1.1) or 3 (3.1)" },
  keepalive: { kind: "integer", default: 60, min: 0, max: 65535, doc: "MQTT keepalive, seconds (0: off)" },
  healthPeriod: { kind: "integer", default: 60000, min: 1000, max: DAY, doc: "how often health telemetry is published, ms" },
  commandMaxAge: { kind: "integer", default: 30000, min: 1, max: DAY, doc: 'a JSON command whose `"ts"` is older than this is refused as stale, ms' },
  discovery: { kind: "boolean", default: true, doc: "publish Home Assistant discovery configs (false: remove them)" },
  discoveryPrefix: {
    kind: "string",
    default: "homeassistant",
    pattern: TOPIC_PREFIX,
    rule: "a non-empty topic without '+', '#' or NUL",
    doc: "Home Assistant's discovery prefix",
  },
  outboxBytes: { kind: "integer", default: 16384, min: 512, max: 16 * 1024 * 1024, doc: "byte budget of the outbox that keeps messages while offline" },
  maxPacketBytes: {
    kind: "integer",
    default: 4096,
    min: 128,
    max: 268_435_455,
    doc: "largest packet taken from the broker (announced on MQTT 5; skipped and reported on 3.1.1)",
  },
  reconnectMax: { kind: "integer", default: 60000, min: 1000, max: 3_600_000, doc: "longest wait between reconnect attempts, ms" },
  configTopic: {
    kind: "string",
    default: "true",
    pattern: /^(true|false|[A-Za-z]+(,[A-Za-z]+)*)$/,
    rule: "true, false, or live keys separated by commas",
    doc: "what `<prefix>/config` may change: `true` every live key, `false` nothing (the device does not subscribe to it), or the live keys named, comma-separated",
  },
  ssid: { kind: "string", default: "", doc: "Wi-Fi network to join (boards only)" },
  password: { kind: "string", default: "", doc: "Wi-Fi password (boards only)", secret: true },
});

/** Every device's settings under their keys, from the device table. */
function deviceFields(lines: readonly DeviceLine[]): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const line of lines) {
    for (const [setting, field] of Object.entries(line.kind.settings)) fields[settingKey(line.name, setting)] = field;
  }
  return fields;
}

/** Every key, its kind, default, bounds and meaning. Live keys are the ones `<prefix>/config` may change. */
export const FIELDS: Readonly<Record<string, Field>> = frozenFields({ ...CORE, ...deviceFields(DEVICES) });

/** The keys `<prefix>/config` may change at run time (and that are persisted). */
export const LIVE_KEYS: readonly string[] = Object.freeze(Object.keys(FIELDS).filter((key) => FIELDS[key].live === true));

export type LiveSettings = Readonly<Record<string, Value>>;

/**
 * Keys that were renamed: the old name is refused with the new one, never silently ignored; in the
 * live settings a device stored before the rename, it is read as the new one.
 */
export const RENAMED: Readonly<Record<string, string>> = Object.freeze({ samplePeriod: "sensorSamplePeriod", reportPeriod: "sensorReportPeriod", deadband: "sensorDeadband" });

/** "samplePeriod is now called sensorSamplePeriod." for a renamed key, else undefined. */
export function renamed(key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(RENAMED, key) ? `${key} is now called ${RENAMED[key]}.` : undefined;
}

function isKey(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(FIELDS, key);
}

/**
 * Builds a Config from flat raw keys over the defaults. Unknown keys are ignored (mcconfig passes
 * its own keys too); an absent key, or an empty string for a non-string key, takes the default.
 */
export function parseConfig(raw: Readonly<Record<string, unknown>>): ParseResult {
  const out: Record<string, Value> = {};
  const errors: string[] = [];
  for (const key of Object.keys(RENAMED)) if (raw[key] !== undefined) errors.push(renamed(key) as string);
  for (const key of Object.keys(FIELDS)) {
    const field = FIELDS[key];
    const value = Object.prototype.hasOwnProperty.call(raw, key) ? raw[key] : undefined;
    if (value === undefined || (value === "" && field.kind !== "string")) {
      out[key] = field.default;
      continue;
    }
    const result = coerce(key, field, value);
    if ("error" in result) errors.push(result.error);
    else out[key] = result.value;
  }
  const allowed = out["configTopic"];
  if (typeof allowed === "string" && allowed !== "true" && allowed !== "false") {
    for (const key of allowed.split(",")) if (FIELDS[key]?.live !== true) errors.push(`configTopic: ${key} is not a live key (live keys: ${LIVE_KEYS.join(", ")}).`);
  }
  if (errors.length === 0 && (out["tlsCert"] === "") !== (out["tlsKey"] === "")) {
    errors.push("tlsCert and tlsKey go together: a client certificate needs its private key, and a key its certificate.");
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: out as unknown as Config };
}

/** The live subset of a config, as echoed on `<prefix>/config/state` and persisted. */
export function liveSettings(config: Config): LiveSettings {
  const out: Record<string, Value> = {};
  for (const key of LIVE_KEYS) out[key] = config[key];
  return out;
}

/**
 * Applies a live change (an object of live keys) to `config`, all or nothing: any unknown key,
 * non-live key or invalid value refuses the whole change.
 */
export function applyLive(config: Config, change: unknown): ParseResult {
  if (typeof change !== "object" || change === null || Array.isArray(change)) return { ok: false, errors: ["config must be a JSON object of settings."] };
  const errors: string[] = [];
  const next: Record<string, unknown> = { ...config };
  const entries = Object.entries(change);
  if (entries.length === 0) errors.push("config has no settings to change.");
  for (const [key, value] of entries) {
    if (!isKey(key)) errors.push(renamed(key) ?? `${clip(key)} is not a setting.`);
    else if (!LIVE_KEYS.includes(key)) errors.push(`${key} cannot be changed at run time.`);
    else if (typeof value === "string") errors.push(`${key} must be a JSON ${FIELDS[key].kind}, not a string.`);
    else next[key] = value;
  }
  if (errors.length > 0) return { ok: false, errors };
  return parseConfig(next);
}
