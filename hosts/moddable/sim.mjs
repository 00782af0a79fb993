// Builds manifest.json with an installed Moddable SDK ($MODDABLE, tools built per its Getting
// Started) and runs it in the SDK's desktop simulator with the log on this terminal (mcconfig -dl,
// the xsdb console: type quit to leave). Usage: npm run sim:moddable -- [key=value ...]
// e.g. npm run sim:moddable -- broker=mqtt://127.0.0.1:1883 deviceId=desk-1
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

function fail(message) {
  console.error(`sim:moddable: ${message}`);
  process.exit(2);
}

const sdk = process.env.MODDABLE;
if (!sdk || !existsSync(join(sdk, "tools", "mcconfig")))
  fail("set MODDABLE to a Moddable SDK checkout whose tools are built (see docs/moddable.md).");
const platform = { linux: "lin", darwin: "mac", win32: "win" }[process.platform];
if (!platform) fail(`no Moddable simulator for ${process.platform}.`);
const tools = join(sdk, "build", "bin", platform, "release");
if (!existsSync(tools)) fail(`${tools} is missing: build the SDK's tools first (see docs/moddable.md).`);
if (!existsSync(join(sdk, "tools", "xsbug-log", "node_modules")))
  fail(`-dl needs the SDK's log console: run npm install in ${join(sdk, "tools", "xsbug-log")}.`);

// Outside the repository, so no build output lands in the tree.
const out = join(tmpdir(), "xs-mqtt-device-moddable");
mkdirSync(out, { recursive: true });
const args = ["-dl", "-m", "-p", platform, "-o", out, ...process.argv.slice(2)];

// The SDK's Linux -dl launch opens the simulator window on display :2; without one, make it
// a virtual one (Xvfb) so the simulator runs headless.
const headless = platform === "lin" && !existsSync("/tmp/.X11-unix/X2");
const [command, commandArgs] = headless ? ["xvfb-run", ["-n", "2", "mcconfig", ...args]] : ["mcconfig", args];
const path = [tools, resolve("node_modules", ".bin"), process.env.PATH].join(delimiter);
const child = spawn(command, commandArgs, { stdio: "inherit", env: { ...process.env, PATH: path } });
child.on("error", (error) =>
  fail(headless && error.code === "ENOENT" ? "install Xvfb (apt-get install xvfb xauth) to run headless." : error.message),
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
