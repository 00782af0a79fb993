// The device as a child process, on either engine, driven through the device-process protocol
// (JSON lines: events on stdout, commands on stdin). End-to-end tests talk to it only this way, so
// the same scenario runs on Node and in XS.
//
// Engines: "node" runs `node tools/run.mjs simulator/cli.ts --ndjson ...` (the desktop simulator);
// "xs" runs `node simulator/xs/run.mjs --ndjson ...` (the same src/ bundled and run in XS through
// xsnap, that process playing its board: same flags, same JSON lines).
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";

export type Engine = "node" | "xs";

export type DeviceEvent =
  | { type: "ready" }
  /** The browser panel's URL (with --panel-port). */
  | { type: "panel"; url: string }
  | { type: "pin"; name: string; value: 0 | 1; t: number }
  | { type: "input"; name: string; value: 0 | 1; t: number }
  | { type: "connected" }
  | { type: "disconnected"; reason: string }
  | { type: "log"; line: string }
  | { type: "error"; message: string };

export interface DeviceOptions {
  engine: Engine;
  /** mqtt://127.0.0.1:PORT; undefined: the simulator's embedded broker. */
  broker: string | undefined;
  /** Store directory; reuse it across processes to test a reboot. */
  store?: string;
  clock?: "real" | "virtual";
  /** Config keys, passed as --key=value. */
  config?: Record<string, string | number | boolean>;
  /** More simulator flags, e.g. ["--engine", "xs"] given to the node engine's command line. */
  flags?: string[];
  /** How long to wait for {"type":"ready"}, ms. */
  startTimeoutMs?: number;
  /** The project to run the simulator of (a changed copy of this one); this one by default. */
  root?: string;
}

export interface DeviceProcess {
  readonly pid: number | undefined;
  /** Every event so far, in order. */
  readonly events: DeviceEvent[];
  /**
   * The first event from index `from` on (default: all so far, then new ones) that satisfies
   * `predicate`; rejects naming `what`, with the last events and stderr, on timeout or exit.
   */
  waitFor(predicate: (event: DeviceEvent) => boolean, what: string, timeoutMs?: number, from?: number): Promise<DeviceEvent>;
  /** One command line on stdin (simulator/commands.ts): {type:"input",name,value}, {type:"press",name,ms}, {type:"advance",ms}, {type:"stop"}. */
  send(command: object): void;
  /** Sends {"type":"stop"} and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the device dies without a word (its will is published by the broker). */
  kill(): Promise<void>;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The last few KB of stderr. */
  stderr(): string;
}

// Jest runs this file as CommonJS (__dirname); a bundle made by tools/run.mjs runs from the repo root.
const ROOT = typeof __dirname === "string" ? resolve(__dirname, "..", "..") : process.cwd();

function command(engine: Engine, root: string): string[] {
  switch (engine) {
    case "node":
      return [join(root, "tools", "run.mjs"), join("simulator", "cli.ts")];
    case "xs":
      return [join(root, "simulator", "xs", "run.mjs")];
  }
}

// Devices still running when the test process ends are killed, so a failed test leaks none.
const running = new Set<ChildProcess>();
let cleanupInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const proc of running) proc.kill("SIGKILL");
  });
}

export async function spawnDevice(options: DeviceOptions): Promise<DeviceProcess> {
  const root = options.root ?? ROOT;
  const args = [...command(options.engine, root), "--ndjson"];
  if (options.broker !== undefined) args.push("--broker", options.broker);
  if (options.store !== undefined) args.push("--store", options.store);
  if (options.clock !== undefined) args.push("--clock", options.clock);
  args.push(...(options.flags ?? []));
  for (const [key, value] of Object.entries(options.config ?? {})) args.push(`--${key}=${String(value)}`);

  const child = spawn(process.execPath, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  track(child);
  const events: DeviceEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let exitCode: number | null | undefined;
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  let pending = "";
  child.stdout.on("data", (data: Buffer) => {
    pending += data.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        events.push(JSON.parse(line) as DeviceEvent);
      } catch {
        events.push({ type: "log", line: `(not JSON on stdout) ${line}` });
      }
    }
    notify();
  });
  child.stderr.on("data", (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-8000);
  });
  // A device that died mid-test must not crash the runner with EPIPE.
  child.stdin.on("error", () => undefined);
  const exited = new Promise<number | null>((resolveExit) => {
    child.once("exit", (code) => {
      exitCode = code;
      notify();
      resolveExit(code);
    });
  });

  const context = (): string => {
    const last = events.slice(-8).map((event) => JSON.stringify(event)).join("\n  ");
    return `\n last events:\n  ${last || "(none)"}\n stderr:\n  ${stderr.trim().split("\n").slice(-15).join("\n  ") || "(empty)"}`;
  };

  const waitFor = (
    predicate: (event: DeviceEvent) => boolean,
    what: string,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<DeviceEvent> =>
    new Promise((resolveWait, reject) => {
      let checked = from;
      const check = (): void => {
        for (; checked < events.length; checked++) {
          if (predicate(events[checked])) {
            done();
            resolveWait(events[checked]);
            return;
          }
        }
        if (exitCode !== undefined) {
          done();
          reject(new Error(`device exited with ${exitCode} while waiting for ${what}${context()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const send = (commandObject: object): void => {
    if (exitCode === undefined) child.stdin.write(JSON.stringify(commandObject) + "\n");
  };

  const device: DeviceProcess = {
    pid: child.pid,
    events,
    waitFor,
    send,
    stop: async () => {
      send({ type: "stop" });
      return exited;
    },
    kill: async () => {
      if (exitCode === undefined) child.kill("SIGKILL");
      await exited;
    },
    exited,
    stderr: () => stderr,
  };

  // Ready, or gone (a bad config exits 2 with an error event: the caller inspects it).
  try {
    await waitFor((event) => event.type === "ready", "the device to start", options.startTimeoutMs ?? 30_000);
  } catch (error) {
    if (exitCode === undefined) {
      child.kill("SIGKILL");
      throw error;
    }
  }
  return device;
}
