// Parses and validates the device configuration from flat raw keys: strings from mcconfig or
// command-line flags, or typed values from JSON. One table names every key with its kind, default
// and bounds, so the parser, the live-config refusal messages and the docs cannot disagree.

export interface Config {
  /** mqtt://host[:port] or mqtts://host[:port]. */
  broker: string;
  deviceId: string;
  /** Topic prefix, e.g. "home/office". */
  prefix: string;
  mqttUser: string;
  mqttPassword: string;
  /** 5 (falls back to 3.1.1 when the broker refuses it), 4 (MQTT 3.1.1) or 3 (MQTT 3.1, for old brokers). */
  protocolVersion: number;
  /** Seconds. */
  keepalive: number;
  /** Sensor sampling interval, ms. */
  samplePeriod: number;
  /** A reading is published at least this often, ms, even when it did not move. */
  reportPeriod: number;
  /** A sample that moved this far from the last published reading is published at once. */
  deadband: number;
  /** Health telemetry interval, ms. */
  healthPeriod: number;
  /** A command whose "ts" field (ms since the epoch) is older than this is refused, ms. */
  commandMaxAge: number;
  /** Whether a retained lamp command (seen when subscribing) switches the lamp. */
  lampRetained: boolean;
  /** Longest ring pattern accepted, ms. */
  bellMaxDuration: number;
  /** Most rings accepted in any 60 s window. */
  bellMaxRate: number;
  lampPin: number;
  bellPin: number;
  sensorPin: number;
  /** Publish Home Assistant discovery configs. */
  discovery: boolean;
  discoveryPrefix: string;
  /** Byte budget of the MQTT outbox. */
  outboxBytes: number;
  /** Largest packet taken from the broker (announced to an MQTT 5 broker, which then sends none larger). */
  maxPacketBytes: number;
  /** Longest wait between reconnect attempts, ms (the backoff doubles up to it, with jitter). */
  reconnectMax: number;
  /** Wi-Fi, used by the Moddable host only. */
  ssid: string;
  password: string;
}

export type ConfigKey = keyof Config;

export type ParseResult = { ok: true; config: Config } | { ok: false; errors: string[] };

type Field =
  | { kind: "string"; default: string; pattern?: RegExp; rule?: string }
  | { kind: "integer" | "number"; default: number; min: number; max: number }
  | { kind: "boolean"; default: boolean };

const TOPIC_PREFIX = /^[^#+\u0000]+$/;
const BROKER_URL = /^mqtts?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;
const DAY = 86_400_000;

/** Every key, its kind, default and bounds. Live keys are the ones `<prefix>/config` may change. */
export const FIELDS: Readonly<Record<ConfigKey, Field>> = frozen({
  broker: {
    kind: "string",
    default: "mqtt://127.0.0.1:1883",
    pattern: BROKER_URL,
    rule: "a URL such as mqtt://host:1883 or mqtts://host:8883",
  },
  deviceId: {
    kind: "string",
    default: "xs-device",
    pattern: /^[A-Za-z0-9_-]{1,23}$/,
    rule: "1 to 23 letters, digits, '-' or '_'",
  },
  prefix: {
    kind: "string",
    default: "home/office",
    pattern: TOPIC_PREFIX,
    rule: "a non-empty topic without '+', '#' or NUL",
  },
  mqttUser: { kind: "string", default: "" },
  mqttPassword: { kind: "string", default: "" },
  protocolVersion: { kind: "integer", default: 5, min: 3, max: 5 },
  keepalive: { kind: "integer", default: 60, min: 0, max: 65535 },
  samplePeriod: { kind: "integer", default: 5000, min: 10, max: DAY },
  reportPeriod: { kind: "integer", default: 60000, min: 10, max: DAY },
  deadband: { kind: "number", default: 0.5, min: 0, max: 1e6 },
  healthPeriod: { kind: "integer", default: 60000, min: 1000, max: DAY },
  commandMaxAge: { kind: "integer", default: 30000, min: 1, max: DAY },
  lampRetained: { kind: "boolean", default: false },
  bellMaxDuration: { kind: "integer", default: 10000, min: 1, max: 600000 },
  bellMaxRate: { kind: "integer", default: 6, min: 1, max: 600 },
  lampPin: { kind: "integer", default: 2, min: 0, max: 255 },
  bellPin: { kind: "integer", default: 4, min: 0, max: 255 },
  sensorPin: { kind: "integer", default: 34, min: 0, max: 255 },
  discovery: { kind: "boolean", default: true },
  discoveryPrefix: {
    kind: "string",
    default: "homeassistant",
    pattern: TOPIC_PREFIX,
    rule: "a non-empty topic without '+', '#' or NUL",
  },
  outboxBytes: { kind: "integer", default: 16384, min: 512, max: 16 * 1024 * 1024 },
  maxPacketBytes: { kind: "integer", default: 4096, min: 128, max: 268_435_455 },
  reconnectMax: { kind: "integer", default: 60000, min: 1000, max: 3_600_000 },
  ssid: { kind: "string", default: "" },
  password: { kind: "string", default: "" },
});

/**
 * The table and each field frozen: preloaded, a frozen object stays in flash, and each one left
 * unfrozen would cost the board a RAM copy (the XS linker warns "not frozen").
 */
function frozen<T extends Record<string, object>>(table: T): Readonly<T> {
  for (const field of Object.values(table)) Object.freeze(field);
  return Object.freeze(table);
}

/** The keys `<prefix>/config` may change at run time (and that are persisted). */
export const LIVE_KEYS: readonly ConfigKey[] = Object.freeze([
  "samplePeriod",
  "reportPeriod",
  "deadband",
  "bellMaxDuration",
  "bellMaxRate",
] satisfies ConfigKey[]);

export type LiveSettings = Pick<Config, "samplePeriod" | "reportPeriod" | "deadband" | "bellMaxDuration" | "bellMaxRate">;

function isKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(FIELDS, key);
}

/** Coerces one raw value; returns the value or an error sentence naming the key. */
function coerce(key: string, field: Field, raw: unknown): { value: string | number | boolean } | { error: string } {
  switch (field.kind) {
    case "string": {
      if (typeof raw !== "string") return { error: `${key} must be a string.` };
      if (field.pattern && !field.pattern.test(raw)) return { error: `${key} must be ${field.rule}; got "${clip(raw)}".` };
      return { value: raw };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      if (raw === "true" || raw === "1" || raw === 1) return { value: true };
      if (raw === "false" || raw === "0" || raw === 0) return { value: false };
      return { error: `${key} must be true or false; got ${show(raw)}.` };
    }
    default: {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      const what = field.kind === "integer" ? "an integer" : "a number";
      if (!Number.isFinite(n) || (field.kind === "integer" && !Number.isInteger(n)))
        return { error: `${key} must be ${what}; got ${show(raw)}.` };
      if (n < field.min || n > field.max)
        return { error: `${key} must be between ${field.min} and ${field.max}; got ${n}.` };
      return { value: n };
    }
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function show(raw: unknown): string {
  return typeof raw === "string" ? `"${clip(raw)}"` : typeof raw === "object" ? (raw === null ? "null" : "an object") : String(raw);
}

/**
 * Builds a Config from flat raw keys over the defaults. Unknown keys are ignored (mcconfig passes
 * its own keys too); an absent key, or an empty string for a non-string key, takes the default.
 */
export function parseConfig(raw: Readonly<Record<string, unknown>>): ParseResult {
  const out: Record<string, string | number | boolean> = {};
  const errors: string[] = [];
  for (const key of Object.keys(FIELDS)) {
    if (!isKey(key)) continue;
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
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: out as unknown as Config };
}

/** The live subset of a config, as echoed on `<prefix>/config/state` and persisted. */
export function liveSettings(config: Config): LiveSettings {
  return {
    samplePeriod: config.samplePeriod,
    reportPeriod: config.reportPeriod,
    deadband: config.deadband,
    bellMaxDuration: config.bellMaxDuration,
    bellMaxRate: config.bellMaxRate,
  };
}

/**
 * Applies a live change (an object of live keys) to `config`, all or nothing: any unknown key,
 * non-live key or invalid value refuses the whole change.
 */
export function applyLive(config: Config, change: unknown): ParseResult {
  if (typeof change !== "object" || change === null || Array.isArray(change))
    return { ok: false, errors: ["config must be a JSON object of settings."] };
  const errors: string[] = [];
  const next: Record<string, unknown> = { ...config };
  const entries = Object.entries(change);
  if (entries.length === 0) errors.push("config has no settings to change.");
  for (const [key, value] of entries) {
    if (!isKey(key)) errors.push(`${clip(key)} is not a setting.`);
    else if (!LIVE_KEYS.includes(key)) errors.push(`${key} cannot be changed at run time.`);
    else if (typeof value === "string") errors.push(`${key} must be a JSON ${FIELDS[key].kind}, not a string.`);
    else next[key] = value;
  }
  if (errors.length > 0) return { ok: false, errors };
  return parseConfig(next);
}
