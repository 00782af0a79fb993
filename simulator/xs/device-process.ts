// The XS engine's device process: same flags and JSON lines as simulator/cli.ts (see
// test/support/device-process.ts), with the firmware running in XS and this process as its board.
import { createInterface } from "node:readline";
import { startBoard } from "./board.js";

interface Flags {
  ndjson: boolean;
  store?: string;
  clock: "real" | "virtual";
  config: Record<string, string>;
}

function parseFlags(args: readonly string[]): Flags {
  const flags: Flags = { ndjson: false, clock: "real", config: {} };
  for (let i = 0; i < args.length; i++) {
    const found = /^--([^=]+)(?:=(.*))?$/.exec(args[i]);
    if (!found) throw new Error(`unexpected argument "${args[i]}": flags look like --key=value`);
    const [, key, inline] = found;
    if (key === "ndjson") {
      flags.ndjson = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === "store") flags.store = value;
    else if (key === "clock") {
      if (value !== "real" && value !== "virtual") throw new Error(`--clock must be real or virtual, not "${value}"`);
      flags.clock = value;
    } else flags.config[key] = value;
  }
  return flags;
}

export async function runDevice(args: readonly string[]): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(args);
  } catch (error) {
    return exit(2, { type: "error", message: (error as Error).message });
  }
  const emit = (event: { type: string } & Record<string, unknown>): void => {
    const { type, ...rest } = event;
    process.stdout.write(flags.ndjson ? `${JSON.stringify(event)}\n` : `${type} ${JSON.stringify(rest)}\n`);
  };
  const fail = (error: Error): void => {
    // The XS error and its stack, on stderr for people and as the error event for tests.
    process.stderr.write(`${error.name}: ${error.message}\n`);
    void exit(1, { type: "error", message: error.message });
  };
  function exit(code: number, event?: { type: string; message: string }): void {
    if (event) process.stdout.write(`${JSON.stringify(event)}\n`);
    process.stdout.write("", () => process.exit(code));
  }

  const board = await startBoard({ storeDir: flags.store, clock: flags.clock, emit, fail });
  const errors = await board.start(flags.config).catch((error: Error) => (fail(error), []));
  if (errors.length > 0) return exit(2, { type: "error", message: errors.join(" ") });

  // One stdin line at a time, each finished (its crank done) before the next.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on("line", (line) => {
    queue = queue.then(() => handle(line)).catch(fail);
  });
  async function handle(line: string): Promise<void> {
    if (line.trim() === "") return;
    const message = JSON.parse(line) as { type?: string; value?: number; ms?: number };
    if (message.type === "sensor") board.host.sensor.set(message.value);
    else if (message.type === "advance") await board.advance(Number(message.ms));
    else if (message.type === "stop") {
      await board.stop();
      await board.close();
      // A moment for the DISCONNECT handed to the socket to leave before the process ends.
      setTimeout(() => exit(0), 50);
    } else throw new Error(`unknown stdin message: ${line}`);
  }
}
