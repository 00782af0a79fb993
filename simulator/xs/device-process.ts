// The XS engine's device process: the flags, stdin lines and stdout lines of simulator/cli.ts (its
// own parsers and panels, reused), with the firmware running in XS and this process as its board.
import { createInterface } from "node:readline";
import { parseConfig } from "../../src/config.js";
import { parseArgs, USAGE } from "../args.js";
import { banner, defaultStoreDir } from "../banner.js";
import { parseCommand, type Command } from "../commands.js";
import { driveInput } from "../inputs.js";
import type { EmbeddedBroker } from "../embedded-broker.js";
import { networkSwitch, type Network } from "../network.js";
import { ndjsonPanel, terminalPanel, type Panel } from "../panel.js";
import { startPanelServer, type PanelServer } from "../web/server.js";
import { startBoard, type Board } from "./board.js";
import { ToXs, frame } from "./protocol.js";
import { BOARD_STACK_SLOTS } from "./stack.js";

const write = (text: string): void => void process.stdout.write(text);

function exit(code: number): void {
  // Exit once stdout has taken everything, so a reader sees the last lines.
  process.stdout.write("", () => process.exit(code));
}

export async function runDevice(argv: readonly string[]): Promise<void> {
  const ndjson = argv.includes("--ndjson");
  const early: Panel = ndjson ? ndjsonPanel(write) : (event) => event.type === "error" && process.stderr.write(`error: ${event.message}\n`);
  const args = parseArgs(argv, process.env);
  if (!args.ok) {
    early({ type: "error", message: `${args.error}\n${ndjson ? "" : USAGE}`.trim() });
    return exit(2);
  }
  const options = args.options;
  if (options.help) {
    write(`${USAGE}\n(XS engine: node simulator/xs/run.mjs takes the same options)\n`);
    return exit(0);
  }
  let broker: EmbeddedBroker | undefined;
  const config: Record<string, string> = { ...options.config };
  if (options.broker === undefined) {
    // Loaded only when needed: the device process runs under SES lockdown.
    broker = await (await import("../embedded-broker.js")).startEmbeddedBroker();
    config.broker = `mqtt://127.0.0.1:${broker.port}`;
  }

  let board: Board | undefined;
  let server: PanelServer | undefined;
  const now = (): number => board?.host.clock.now() ?? 0;
  const terminal = ndjson ? early : terminalPanel({ write, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, origin: 0, now });
  // Everything shown goes to the terminal (or the JSON lines) and to the browser panel's pages.
  const panel: Panel = (event) => {
    terminal(event);
    server?.panel(event);
  };
  const fail = (error: Error): void => {
    // The XS error and its stack: on stderr for people, as the error event for tests.
    process.stderr.write(`${error.name}: ${error.message}\n`);
    panel({ type: "error", message: `${error.name}: ${error.message}` });
    exit(1);
  };
  const parsed = parseConfig(config);
  if (!parsed.ok) {
    early({ type: "error", message: parsed.errors.join(" ") });
    await broker?.close();
    return exit(2);
  }
  const storeDir = options.store ?? defaultStoreDir(parsed.config.deviceId);
  let network: Network | undefined;
  board = await startBoard({
    storeDir,
    clock: options.clock,
    stackSlots: options.stack ?? BOARD_STACK_SLOTS,
    emit: panel,
    fail,
    // The panel's network switch and packet log sit between the firmware and the board's sockets.
    connect: (connect) =>
      (network = networkSwitch(
        connect,
        options.panel ? (packet) => server?.packet(packet) : undefined,
        () => void board?.send(frame(ToXs.networkUp)).catch(fail),
      )).connect,
  });
  const started = board;
  if (options.panel && network) {
    try {
      server = await startPanelServer(
        {
          engine: "xs",
          config: parsed.config,
          pins: started.host.pins,
          clock: started.host.clock,
          timers: started.host.timers,
          network,
          broker,
          ca: undefined,
          stats: async () => JSON.parse(new TextDecoder().decode(await started.send(frame(ToXs.stats)))) as Record<string, number | boolean | string>,
        },
        { port: options.panelPort },
      );
    } catch (error) {
      early({ type: "error", message: (error as Error).message });
      await started.close();
      await broker?.close();
      return exit(2);
    }
    terminal({ type: "panel", url: server.url });
  }
  if (!ndjson) write(banner(parsed.config, options, storeDir, broker !== undefined, "xs", server?.url));
  const errors = await board.start(config).catch((error: Error) => (fail(error), []));
  if (errors.length > 0) {
    panel({ type: "error", message: errors.join(" ") });
    await board.close();
    return exit(2);
  }
  const running = board;

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.stop().catch((error: Error) => panel({ type: "log", line: `${error.message}; exiting anyway` }));
    await running.close();
    await server?.close();
    await broker?.close();
    exit(0);
  };
  // One line at a time, each one's work in XS done before the next.
  let queue = Promise.resolve();
  const run = async (command: Command): Promise<void> => {
    if (command.type === "input" || command.type === "press") {
      const problem = driveInput(running.host.pins, running.host.timers, command);
      if (problem) panel({ type: "log", line: `stdin: ${problem}` });
    } else if (command.type === "advance") {
      if (options.clock === "virtual") await running.advance(command.ms);
      else panel({ type: "log", line: "advance ignored: the clock is real (start with --clock virtual)" });
    } else await stop();
  };
  const input = createInterface({ input: process.stdin, terminal: false });
  input.on("line", (line) => {
    const result = parseCommand(line);
    if (!result.ok) panel({ type: "log", line: `stdin: ${result.error}` });
    else if (result.command) {
      const command = result.command;
      queue = queue.then(() => run(command)).catch(fail);
    }
  });
  // A test runner that goes away closes our stdin: stop rather than linger.
  input.on("close", () => {
    if (ndjson) queue = queue.then(stop);
  });
  // `on`, not `once`: started by `npm start -- --engine xs`, a Ctrl-C reaches us twice (from the
  // terminal and forwarded by the parent), and stop() is already under way the second time.
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}
