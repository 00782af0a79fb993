// Lines the simulator reads on stdin: the device-process protocol's JSON objects, or the same
// commands typed by a person ("sensor 23.5", "sensor auto", "advance 1000", "stop").

export type Command =
  | { type: "sensor"; value: number | undefined }
  | { type: "advance"; ms: number }
  | { type: "stop" };

/** `command` is undefined for a blank line. */
export type CommandResult = { ok: true; command: Command | undefined } | { ok: false; error: string };

function fromObject(object: unknown): CommandResult {
  if (typeof object !== "object" || object === null) return { ok: false, error: "a command must be a JSON object" };
  const { type, value, ms } = object as { type?: unknown; value?: unknown; ms?: unknown };
  switch (type) {
    case "sensor":
      if (value === null) return { ok: true, command: { type: "sensor", value: undefined } };
      if (typeof value !== "number" || !Number.isFinite(value))
        return { ok: false, error: "sensor needs a finite number value (or null for the model)" };
      return { ok: true, command: { type: "sensor", value } };
    case "advance":
      if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms))
        return { ok: false, error: "advance needs ms, a number of milliseconds >= 0" };
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
  const [word, arg] = text.split(/\s+/);
  if (word === "stop" || word === "quit") return { ok: true, command: { type: "stop" } };
  if (word === "sensor") return fromObject({ type: "sensor", value: arg === "auto" ? null : Number(arg) });
  if (word === "advance") return fromObject({ type: "advance", ms: Number(arg) });
  return { ok: false, error: `unknown command "${word}" (sensor N | sensor auto | advance MS | stop)` };
}
