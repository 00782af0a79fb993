// The XS engine's device process: `node simulator/xs/run.mjs [simulator flags]` (the flags of
// simulator/cli.ts), or `node simulator/xs/run.mjs --lab <xs-entry.ts>` for a bare XS machine.
// It bundles main.ts for Node through tools/run.mjs; main.ts locks the realm down (SES) before xsnap.
import { fileURLToPath } from "node:url";

process.argv.splice(2, 0, fileURLToPath(new URL("./main.ts", import.meta.url)));
await import("../../tools/run.mjs");
