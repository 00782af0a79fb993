// The desktop simulator (`npm start`): the device's src/ on the Node host, against a broker given with
// --broker or an embedded Aedes one, shown as a board panel or as the device-process JSON lines.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { createNodeHost } from "../hosts/node/host.js";
import { VirtualClock } from "../hosts/node/virtual-clock.js";
import start from "../src/app.js";
import { parseConfig } from "../src/config.js";
import type { Host } from "../src/host.js";
import { parseArgs, USAGE } from "./args.js";
import { banner, defaultStoreDir } from "./banner.js";
import { parseCommand, type Command } from "./commands.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import { driveInput } from "./inputs.js";
import { watchLink } from "./link-watch.js";
import { ndjsonPanel, terminalPanel, type Panel } from "./panel.js";
import { networkSwitch } from "./network.js";
import { watchPins } from "./pin-watch.js";
import { startPanelServer, type PanelServer } from "./web/server.js";

/** How long a stop may take (offline, DISCONNECT) before the process exits anyway, ms of real time. */
const STOP_GRACE = 3000;

const write = (text: string): void => void process.stdout.write(text);

function exit(code: number): void {
  // Exit once stdout has taken everything, so a reader sees the last lines.
  process.stdout.write("", () => process.exit(code));
}

function fail(panel: Panel | undefined, message: string, code: number): void {
  if (panel) panel({ type: "error", message });
  else process.stderr.write(`error: ${message}\n`);
  exit(code);
}

/**
 * The XS engine's device process takes the same flags and speaks the same lines; this process only
 * hands over to it. Ctrl-C reaches both (one process group): the child stops cleanly, we wait for it.
 */
function runOnXs(argv: readonly string[]): void {
  const child = spawn(process.execPath, [resolve("simulator", "xs", "run.mjs"), ...argv], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => exit(code ?? (signal ? 1 : 0)));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), process.env);
  const ndjson = process.argv.includes("--ndjson");
  const early: Panel | undefined = ndjson ? ndjsonPanel(write) : undefined;
  if (!args.ok) return fail(early, `${args.error}\n${ndjson ? "" : USAGE}`.trim(), 2);
  const options = args.options;
  if (options.help) {
    write(USAGE + "\n");
    return exit(0);
  }
  if (options.engine === "xs") return runOnXs(process.argv.slice(2));

  let parsed = parseConfig(options.config);
  if (!parsed.ok) return fail(early, parsed.errors.join(" "), 2);
  let broker: EmbeddedBroker | undefined;
  if (options.broker === undefined) {
    broker = await startEmbeddedBroker();
    parsed = parseConfig({ ...options.config, broker: `mqtt://127.0.0.1:${broker.port}` });
    if (!parsed.ok) return fail(early, parsed.errors.join(" "), 2);
  }
  const config = parsed.config;

  const clock = options.clock === "virtual" ? new VirtualClock({ epoch: Date.now() }) : undefined;
  const now = clock ? () => clock.now() : () => performance.now();
  let server: PanelServer | undefined;
  const terminal: Panel =
    early ??
    terminalPanel({ write, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, origin: now(), now });
  // Everything shown goes to the terminal (or the JSON lines) and to the browser panel's pages.
  const panel: Panel = (event) => {
    terminal(event);
    server?.panel(event);
  };
  const storeDir = options.store ?? defaultStoreDir(config.deviceId);

  let ca: string | undefined;
  try {
    ca = options.ca === undefined ? undefined : readFileSync(options.ca, "utf8");
  } catch (error) {
    await broker?.close();
    return fail(terminal, `--ca: cannot read ${options.ca}: ${(error as Error).message}`, 2);
  }
  const nodeHost = createNodeHost({ storeDir, clock, ca, log: (line) => panel({ type: "log", line }) });
  // Whatever the device table declares: the panel hears of each pin as the app opens it.
  watchPins(nodeHost.pins, nodeHost.clock, panel);

  let app: ReturnType<typeof start> | undefined;
  // The panel's network switch and packet log sit between the device and the host's sockets.
  const network = networkSwitch(
    nodeHost.connect,
    options.panel ? (packet) => server?.packet(packet) : undefined,
    () => app?.client.reconnectNow(),
  );
  const watch = watchLink(
    network.connect,
    () => app?.client.connected ?? false,
    (connected, reason) => panel(connected ? { type: "connected" } : { type: "disconnected", reason }),
  );
  const host: Host = { ...nodeHost, connect: watch.connect };
  if (options.panel) {
    try {
      server = await startPanelServer(
        { engine: "node", config, pins: nodeHost.pins, clock: nodeHost.clock, timers: nodeHost.timers, network, broker, ca, stats: async () => ({ ...app?.client.stats() }) },
        { port: options.panelPort },
      );
    } catch (error) {
      await broker?.close();
      return fail(terminal, (error as Error).message, 2);
    }
    terminal({ type: "panel", url: server.url });
  }
  if (!ndjson) write(banner(config, options, storeDir, broker !== undefined, "node", server?.url));
  else if (broker) panel({ type: "log", line: `embedded broker on 127.0.0.1:${broker.port}` });
  try {
    app = start(host, config);
  } catch (error) {
    await broker?.close();
    return fail(panel, `the device did not start: ${(error as Error).message}`, 1);
  }
  const running = app;
  panel({ type: "ready" });
  // A safety net for link changes no transport event reveals (the client closing on its own).
  const safety = setInterval(watch.check, 250);

  const input = createInterface({ input: process.stdin, terminal: false });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const finish = async (): Promise<void> => {
      clearInterval(safety);
      watch.check();
      input.close();
      await server?.close();
      await broker?.close();
      exit(0);
    };
    let finished = false;
    const grace = setTimeout(() => {
      panel({ type: "log", line: `stop did not finish within ${STOP_GRACE} ms; exiting anyway` });
      void finish();
    }, STOP_GRACE);
    running.stop(() => {
      finished = true;
      clearTimeout(grace);
      void finish();
    });
    // On virtual time a stop that waits for a timer (a flush, a grace period) needs time to move:
    // 100 ms of it every 10 ms of real time, so socket events interleave as they would.
    if (clock) {
      const tick = setInterval(() => (finished ? clearInterval(tick) : clock.advance(100)), 10);
    }
  };

  const run = (command: Command): void => {
    switch (command.type) {
      case "input":
      case "press": {
        const problem = driveInput(nodeHost.pins, nodeHost.timers, command);
        if (problem) panel({ type: "log", line: `stdin: ${problem}` });
        return;
      }
      case "advance":
        if (!clock) return panel({ type: "log", line: "advance ignored: the clock is real (start with --clock virtual)" });
        clock.advance(command.ms);
        watch.check();
        return;
      case "stop":
        return stop();
    }
  };

  input.on("line", (line) => {
    const result = parseCommand(line);
    if (!result.ok) panel({ type: "log", line: `stdin: ${result.error}` });
    else if (result.command) run(result.command);
  });
  // A test runner that goes away closes our stdin: stop rather than linger.
  input.on("close", () => {
    if (ndjson) stop();
  });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.on("uncaughtException", (error) => fail(panel, `uncaught: ${error.stack ?? error.message}`, 1));
}

await main();
