// Runs a TypeScript entry point on Node: bundles it with esbuild (npm packages stay external)
// into build/ and imports the result. Usage: node tools/run.mjs path/to/file.ts [args...]
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { resolve, basename } from "node:path";
import { pathToFileURL } from "node:url";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node tools/run.mjs <entry.ts> [args...]");
  process.exit(2);
}
// One file per process, so parallel runs (jest workers spawning the simulator) never collide.
const outfile = resolve("build", "run", `${basename(entry, ".ts")}.${process.pid}.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
});
process.argv = [process.argv[0], outfile, ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
