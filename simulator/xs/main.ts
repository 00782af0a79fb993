// Node side of the XS engine, started by run.mjs: SES lockdown first (xsnap requires it), then
// either a bare XS machine for tests (--lab) or the device process (the board).
import "@endo/init";
import { runLab } from "./lab.js";

const args = process.argv.slice(2);
if (args[0] === "--lab") await runLab(args[1]);
