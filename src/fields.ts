// Config fields: what one key is (its kind, default, bounds and a sentence for the docs), how a raw
// value (a string from mcconfig or a flag, or JSON) becomes a value of that kind, and how a device's
// own keys are named: its name, then the setting, capitalized (relay + pin = relayPin).

export type Field =
  | { kind: "string"; default: string; doc: string; pattern?: RegExp; rule?: string; live?: true; secret?: true }
  | { kind: "integer" | "number"; default: number; doc: string; min: number; max: number; live?: true }
  | { kind: "boolean"; default: boolean; doc: string; live?: true };

export type Value = string | number | boolean;

/** A table of fields: each one frozen, then the table (preloaded, a frozen object stays in flash). */
export function frozenFields<T extends Record<string, Field>>(table: T): Readonly<T> {
  for (const field of Object.values(table)) Object.freeze(field);
  return Object.freeze(table);
}

/** The config key of a device's setting: `relay` + `pin` is `relayPin`. */
export function settingKey(device: string, setting: string): string {
  return device + setting[0].toUpperCase() + setting.slice(1);
}

/** The type a field's values have. */
export type ValueOf<F extends Field> = F extends { kind: "boolean" } ? boolean : F extends { kind: "string" } ? string : number;

/** A device's settings, typed by its field table. */
export type SettingsOf<F extends Readonly<Record<string, Field>>> = { readonly [K in keyof F]: ValueOf<F[K]> };

/** A device's settings from a parsed config, typed by its kind's field table. */
export function settingsOf<F extends Readonly<Record<string, Field>>>(config: Readonly<Record<string, Value>>, device: string, fields: F): SettingsOf<F> {
  const out: Record<string, Value> = {};
  for (const setting of Object.keys(fields)) out[setting] = config[settingKey(device, setting)];
  return out as SettingsOf<F>;
}

/** Coerces one raw value; returns the value or an error sentence naming the key. */
export function coerce(key: string, field: Field, raw: unknown): { value: Value } | { error: string } {
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
      if (!Number.isFinite(n) || (field.kind === "integer" && !Number.isInteger(n))) return { error: `${key} must be ${what}; got ${show(raw)}.` };
      if (n < field.min || n > field.max) return { error: `${key} must be between ${field.min} and ${field.max}; got ${n}.` };
      return { value: n };
    }
  }
}

export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function show(raw: unknown): string {
  return typeof raw === "string" ? `"${clip(raw)}"` : typeof raw === "object" ? (raw === null ? "null" : "an object") : String(raw);
}
