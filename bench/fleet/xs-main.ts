// The fleet on the XS engine (started by bench/fleet.ts with --engine xs): SES lockdown first, as
// xsnap requires, then the same run as on Node with one xsnap machine per device.
import "@endo/init";
import { parseFleetArgs } from "./args.js";
import { runFleet } from "./core.js";
import { xsEngine } from "./xs-engine.js";

const parsed = parseFleetArgs(process.argv.slice(2));
if (!parsed.ok) throw new Error(parsed.error);
const code = await runFleet(parsed.options, (hooks, fail) => xsEngine(hooks, fail));
process.exit(code);
