// What the simulator shows: a terminal "board panel" (one line per event, for people) or the
// device-process protocol's JSON lines (for tests and tools). Both take the same events.

export type PanelEvent =
  | { type: "ready" }
  /** The browser panel is served here (the banner says so to people). */
  | { type: "panel"; url: string }
  /** An output the device drives changed level. */
  | { type: "pin"; name: string; value: 0 | 1; t: number }
  /** An input was driven to a level (by a stdin command). */
  | { type: "input"; name: string; value: 0 | 1; t: number }
  | { type: "connected" }
  | { type: "disconnected"; reason: string }
  | { type: "log"; line: string }
  | { type: "error"; message: string }
  /** The device read an analog input (millivolts). */
  | { type: "reading"; name: string; value: number | undefined; t: number };

export type Panel = (event: PanelEvent) => void;

/** The device-process protocol: one JSON object per line; readings are the panel's alone. */
export function ndjsonPanel(write: (text: string) => void): Panel {
  return (event) => {
    if (event.type === "reading") return;
    write(JSON.stringify(event) + "\n");
  };
}

const STYLE = Object.freeze({ dim: "2", green: "32", red: "31", yellow: "33", cyan: "36", bold: "1" });

export function terminalPanel(options: {
  write: (text: string) => void;
  color: boolean;
  /** Host clock time of the start, so lines show seconds since then. */
  origin: number;
  now: () => number;
}): Panel {
  const paint = (style: keyof typeof STYLE, text: string): string =>
    options.color ? `\u001b[${STYLE[style]}m${text}\u001b[0m` : text;
  const line = (t: number, text: string): void => {
    const seconds = ((t - options.origin) / 1000).toFixed(3).padStart(9);
    options.write(`${paint("dim", seconds)}  ${text}\n`);
  };
  return (event) => {
    switch (event.type) {
      case "ready":
        return line(options.now(), paint("dim", "device started"));
      case "panel":
        return;
      case "pin":
        return line(event.t, `${event.name.padEnd(8)} ${event.value === 1 ? paint("yellow", "(*) on") : paint("dim", "( ) off")}`);
      case "input":
        return line(event.t, `${event.name.padEnd(8)} ${paint("cyan", `input ${event.value}`)}`);
      case "connected":
        return line(options.now(), paint("green", "link     connected"));
      case "disconnected":
        return line(options.now(), paint("red", `link     disconnected: ${event.reason}`));
      case "reading":
        return line(event.t, `${event.name.padEnd(8)} ${event.value === undefined ? "unreadable" : `${event.value} mV`}`);
      case "log":
        return line(options.now(), paint("dim", `log      ${event.line}`));
      case "error":
        return line(options.now(), paint("red", `error    ${event.message}`));
    }
  };
}
