// `npm run fleet -- --devices N [--broker URL] [--engine node|xs] [--duration S]`: N simulated
// devices (the real firmware, each with its own id, prefix, store and sensor) against one broker;
// a live line a second and final Markdown tables (bench/fleet/core.ts says what is measured).
// The node engine runs here; the XS engine runs in a child process that locks the realm down first
// (SES, which xsnap needs), so this process never does. Loopback by default.
import { spawn } from "node:child_process";
import { parseFleetArgs, USAGE } from "./fleet/args.js";
import { runFleet } from "./fleet/core.js";
import { nodeEngine } from "./fleet/node-engine.js";

const argv = process.argv.slice(2);
const parsed = parseFleetArgs(argv);
if (!parsed.ok) {
  console.error(`${parsed.error}\n${USAGE}`);
  process.exit(2);
}
if (parsed.options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.options.engine === "xs") {
  const child = spawn(process.execPath, ["tools/run.mjs", "bench/fleet/xs-main.ts", ...argv], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const code = await runFleet(parsed.options, (hooks) => nodeEngine(hooks));
  process.exit(code);
}
