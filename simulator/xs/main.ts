// Node side of the XS engine, started by run.mjs: SES lockdown first (xsnap requires it), then a
// bare XS machine for tests (--lab), the measurements (--measure), or the device process (the board).
import "@endo/init";
import { runDevice } from "./device-process.js";
import { runLab } from "./lab.js";
import { measure } from "./measure.js";

const args = process.argv.slice(2);
if (args[0] === "--lab") await runLab(args[1]);
else if (args[0] === "--measure") {
  const broker = /^--broker=(.+)$/.exec(args[1] ?? "")?.[1];
  if (!broker) throw new Error("usage: run.mjs --measure --broker=mqtt://127.0.0.1:PORT");
  process.stdout.write(`${JSON.stringify(await measure(broker))}\n`);
} else await runDevice(args);
