// Lines the simulator reads on stdin: the device-process protocol's JSON objects, or the same
// commands typed by a person ("input sensor 750", "input sensor auto", "press button 100",
// "advance 1000", "stop"). Inputs are named as the device table names them; a digital input takes
// 0 or 1, an analog one millivolts (a TMP36 gives 500 + 10 per °C: 750 is 25 °C).

export type Command =
  /** Drives an input: a digital level, or an analog input's millivolts (null: back to its drift). */
  | { type: "input"; name: string; value: number | null }
  /** Holds a digital input away from its resting level for `ms`, as a finger on a button. */
  | { type: "press"; name: string; ms: number }
  | { type: "advance"; ms: number }
  | { type: "stop" };

/** `command` is undefined for a blank line. */
export type CommandResult = { ok: true; command: Command | undefined } | { ok: false; error: string };

const DEFAULT_PRESS_MS = 100;

function fromObject(object: unknown): CommandResult {
  if (typeof object !== "object" || object === null) return { ok: false, error: "a command must be a JSON object" };
  const { type, name, value, ms } = object as { type?: unknown; name?: unknown; value?: unknown; ms?: unknown };
  switch (type) {
    case "input":
      if (typeof name !== "string" || name === "") return { ok: false, error: "input needs the name of an input" };
      if (value === null) return { ok: true, command: { type: "input", name, value: null } };
      if (typeof value !== "number" || !Number.isFinite(value)) return { ok: false, error: "input needs a finite number value (or null for an analog input's drift)" };
      return { ok: true, command: { type: "input", name, value } };
    case "press": {
      if (typeof name !== "string" || name === "") return { ok: false, error: "press needs the name of an input" };
      const held = ms === undefined ? DEFAULT_PRESS_MS : ms;
      if (typeof held !== "number" || !(held >= 0) || !Number.isFinite(held)) return { ok: false, error: "press needs ms, a number of milliseconds >= 0" };
      return { ok: true, command: { type: "press", name, ms: held } };
    }
    case "advance":
      if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms)) return { ok: false, error: "advance needs ms, a number of milliseconds >= 0" };
      return { ok: true, command: { type: "advance", ms } };
    case "stop":
      return { ok: true, command: { type: "stop" } };
    default:
      return { ok: false, error: `unknown command type ${JSON.stringify(type)}` };
  }
}

export function parseCommand(line: string): CommandResult {
  const text = line.trim();
  if (text === "") return { ok: true, command: undefined };
  if (text.startsWith("{")) {
    try {
      return fromObject(JSON.parse(text));
    } catch {
      return { ok: false, error: `not JSON: ${text.slice(0, 60)}` };
    }
  }
  const [word, name, arg] = text.split(/\s+/);
  if (word === "stop" || word === "quit") return { ok: true, command: { type: "stop" } };
  if (word === "input") return fromObject({ type: "input", name, value: arg === "auto" ? null : arg === undefined ? NaN : Number(arg) });
  if (word === "press") return fromObject({ type: "press", name, ms: arg === undefined ? undefined : Number(arg) });
  if (word === "advance") return fromObject({ type: "advance", ms: Number(name) });
  return { ok: false, error: `unknown command "${word}" (input NAME VALUE | input NAME auto | press NAME [MS] | advance MS | stop)` };
}
