// Checks manifest.json against an installed Moddable SDK ($MODDABLE, tools built): for each board
// target, the make file `mcconfig -d -p TARGET` generates (no -m: no toolchain needed) must name
// the firmware's modules and, of the SDK's IO, only what the firmware uses; and a release build for
// the simulator must preload without an XS linker warning that names one of our modules. Then the
// same for manifest_tls.json (the SDK's TLS socket added), which must refuse the ESP8266 (esp).
// Usage: npm run check:moddable [-- TARGET ...]   (default: esp/nodemcu esp32 esp32/nodemcu lin)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, join, resolve } from "node:path";

const sdk = process.env.MODDABLE;
if (!sdk || !existsSync(join(sdk, "tools", "mcconfig.js"))) {
  console.error("check:moddable: set MODDABLE to a Moddable SDK checkout whose tools are built (see docs/moddable.md).");
  process.exit(2);
}
const host = { linux: "lin", darwin: "mac", win32: "win" }[process.platform];
const tools = join(sdk, "build", "bin", host, "release");
const PATH = [tools, resolve("node_modules", ".bin"), process.env.PATH].join(delimiter);
const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["esp/nodemcu", "esp32", "esp32/nodemcu", host];

// The only SDK IO modules the firmware imports (embedded:io/digitalbank comes with digital).
const IO_ALLOWED = new Set(["digital", "digitalbank", "analog", "socket/tcp", "socket/listener"]);
// manifest_tls.json adds the SDK's TLS socket (and its crypto, which is not under io/).
const IO_ALLOWED_TLS = new Set([...IO_ALLOWED, "socket/tcp/tls"]);
const OURS = /^(app|config|utf8|main|(mqtt|mqtt\/codec|device|entities|moddable)\/[\w-]+)$/;

const out = mkdtempSync(join(tmpdir(), "xs-mqtt-check-"));
// Generating an ESP8266 make file only looks for the toolchain's folder: any folder will do.
const espBase = process.env.ESP_BASE ?? join(out, "esp");
mkdirSync(espBase, { recursive: true });
let failed = 0;

function mcconfig(args) {
  const run = spawnSync("mcconfig", args, { encoding: "utf8", env: { ...process.env, PATH, ESP_BASE: espBase } });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function report(ok, line) {
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${line}`);
}

/** Checks one target's make file (and on the host a release build) for a manifest of ours. */
function check(manifest, target, allowed, wanted) {
  const tag = manifest === "manifest.json" ? target : `${target} (${manifest})`;
  const platform = target.split("/")[0];
  const generated = mcconfig(["-d", "-p", target, "-o", out, manifest]);
  // Boards: tmp/<platform>/<subplatform>/debug/<project>; simulators: tmp/<platform>/mc/debug/<project>,
  // where <project> is the name of the folder that holds manifest.json.
  const makefile = join(out, "tmp", ...target.split("/"), ...(target === host ? ["mc"] : []), "debug", basename(process.cwd()), "makefile");
  if (generated.status !== 0 || !existsSync(makefile)) {
    report(false, `${tag}: mcconfig -d -p ${target} ${manifest} made no make file\n${generated.output.trim()}`);
    return;
  }
  const text = readFileSync(makefile, "utf8");
  const block = /^MODULES =\\\n([\s\S]*?)\n\n/m.exec(text)?.[1] ?? "";
  const modules = [...block.matchAll(/\$\(MODULES_DIR\)\/(\S+?)\.xsb/g)].map((m) => m[1]);
  const io = modules.filter((m) => m.startsWith("~.embedded/io/")).map((m) => m.slice("~.embedded/io/".length));
  const extra = io.filter((m) => !allowed.has(m));
  const ours = modules.filter((m) => OURS.test(m));
  report(extra.length === 0, `${tag}: SDK IO ${io.join(", ") || "(none)"}${extra.length ? `; not used by the firmware: ${extra.join(", ")}` : ""}`);
  const missing = ["app", "main", "mqtt/client", ...wanted].filter((m) => !modules.includes(m));
  report(missing.length === 0, `${tag}: ${ours.length} firmware modules${missing.length ? `; missing ${missing.join(", ")}` : ""}`);
  console.log(`     every module: ${modules.join(" ")}`);
  if (platform === host) {
    // A release build (no -d: the debug make file of the simulator ends every running mcsim).
    const built = mcconfig(["-m", "-p", target, "-o", out, manifest]);
    const warnings = built.output.split("\n").filter((line) => line.startsWith("### warning"));
    const mine = warnings.filter((line) => OURS.test(/^### warning: ([^:]+):/.exec(line)?.[1] ?? ""));
    report(built.status === 0, `${tag}: release build ${built.status === 0 ? "built" : `failed\n${built.output.trim().split("\n").slice(-10).join("\n")}`}`);
    report(mine.length === 0, `${tag}: preload warnings naming the firmware's modules: ${mine.length}${mine.length ? `\n${mine.join("\n")}` : ""}`);
    const theirs = warnings.filter((line) => !mine.includes(line));
    if (theirs.length > 0) console.log(`     the SDK's own: ${theirs.length} (${[...new Set(theirs.map((w) => /^### warning: ([^:]+):/.exec(w)?.[1]))].join(", ")})`);
  }
}

try {
  for (const target of targets) check("manifest.json", target, IO_ALLOWED, []);
  for (const target of targets) {
    if (target.split("/")[0] === "esp") {
      // The ESP8266 is refused with the manifest's sentence, before any make file.
      const refused = mcconfig(["-d", "-p", target, "-o", out, "manifest_tls.json"]);
      report(refused.status !== 0 && refused.output.includes("TLS does not fit the ESP8266"), `${target} (manifest_tls.json): refused${refused.status !== 0 ? `: ${/xs-mqtt-device: [^\n]*/.exec(refused.output)?.[0] ?? refused.output.trim()}` : " not: it made a make file"}`);
    } else check("manifest_tls.json", target, IO_ALLOWED_TLS, ["moddable/tls", "~.embedded/io/socket/tcp/tls", "ssl/session"]);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
