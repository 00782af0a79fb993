// Builds manifest.json with an installed Moddable SDK ($MODDABLE, tools built per its Getting
// Started) and runs it in the SDK's desktop simulator with the log on this terminal (the SDK's
// xsdb console, as `mcconfig -dl` gives it: type quit to leave).
// Usage: npm run sim:moddable -- [--manifest FILE] [key=value ...]
// e.g. npm run sim:moddable -- broker=mqtt://127.0.0.1:1883 deviceId=desk-1
//      npm run sim:moddable -- --manifest manifest_tls.json broker=mqtts://127.0.0.1:8883 tlsCa=ca.der
// FILE (default manifest.json) may be a manifest outside the tree that includes one of ours.
//
// On Linux the SDK's own -dl launch is not used: it ends every running mcsim, and opens the
// simulator on display :2 whether or not a display answers there (a stale socket left by a killed
// Xvfb makes it hang). This script builds with `-t build`, then starts the SDK's console itself on
// a display that answers: $DISPLAY if it does, else a private Xvfb on a free display number.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";

function fail(message) {
  console.error(`sim:moddable: ${message}`);
  process.exit(2);
}

const sdk = process.env.MODDABLE;
if (!sdk || !existsSync(join(sdk, "tools", "mcconfig.js")))
  fail("set MODDABLE to a Moddable SDK checkout whose tools are built (see docs/moddable.md).");
const platform = { linux: "lin", darwin: "mac", win32: "win" }[process.platform];
if (!platform) fail(`no Moddable simulator for ${process.platform}.`);
const tools = join(sdk, "build", "bin", platform, "release");
if (!existsSync(tools)) fail(`${tools} is missing: build the SDK's tools first (see docs/moddable.md).`);
const consoleDir = join(sdk, "tools", "xsbug-log");
if (!existsSync(join(consoleDir, "node_modules"))) fail(`the SDK's log console needs npm install in ${consoleDir}.`);

let args = process.argv.slice(2);
let manifest = "manifest.json";
if (args[0] === "--manifest" && args.length > 1) [manifest, args] = [args[1], args.slice(2)];
else if (args[0]?.startsWith("--manifest=")) [manifest, args] = [args[0].slice("--manifest=".length), args.slice(1)];
manifest = resolve(manifest);
if (!existsSync(manifest)) fail(`no manifest ${manifest}.`);
const settings = args;

// Outside the repository, so no build output lands in the tree; one folder per manifest, so a
// build of one never reuses what a build of another left.
const plain = manifest === resolve("manifest.json");
const out = join(tmpdir(), plain ? "xs-mqtt-device-moddable" : `xs-mqtt-device-moddable-${basename(dirname(manifest))}-${basename(manifest, ".json")}`);
mkdirSync(out, { recursive: true });
const path = [tools, resolve("node_modules", ".bin"), process.env.PATH].join(delimiter);
const env = { ...process.env, PATH: path };

/** Whether something accepts connections at this TCP port or Unix socket path. */
function answers(target) {
  return new Promise((done) => {
    const socket = net.connect(target);
    const timer = setTimeout(() => finish(false), 1000);
    const finish = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** The X socket of display ":N" or ":N.S" (local displays only). */
function xSocket(display) {
  const match = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display ?? "");
  return match ? `/tmp/.X11-unix/X${match[1]}` : undefined;
}

/** A display that answers: $DISPLAY, or a private Xvfb (stopped when this script ends). */
async function display() {
  const socket = xSocket(process.env.DISPLAY);
  if (socket && (await answers({ path: socket }))) return { name: process.env.DISPLAY, stop: () => undefined };
  if (process.env.DISPLAY) console.error(`sim:moddable: display ${process.env.DISPLAY} does not answer; starting a private one`);
  // A number with no socket and no lock file, so no stale leftover of an earlier Xvfb is in the way.
  let n = 90;
  while (n < 190 && (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`))) n++;
  const xvfb = spawn("Xvfb", [`:${n}`, "-screen", "0", "1024x768x24", "-nolisten", "tcp"], { stdio: "ignore" });
  const started = await new Promise((done) => {
    xvfb.once("error", () => done(false));
    const deadline = Date.now() + 10_000;
    const poll = async () => {
      if (await answers({ path: `/tmp/.X11-unix/X${n}` })) done(true);
      else if (Date.now() > deadline || xvfb.exitCode !== null) done(false);
      else setTimeout(poll, 100);
    };
    poll();
  });
  if (!started) {
    xvfb.kill();
    fail("no display answers and Xvfb could not start one: install it (apt-get install xvfb) or set DISPLAY.");
  }
  return { name: `:${n}`, stop: () => xvfb.kill() };
}

async function consolePort() {
  const wanted = Number(process.env.XSBUG_LOG_PORT ?? 5002);
  if (!(await answers({ host: "127.0.0.1", port: wanted }))) return wanted;
  const port = await freePort();
  console.error(`sim:moddable: port ${wanted} (the SDK's log console and xsbug) is busy, perhaps another simulator or xsbug: using ${port}`);
  return port;
}

if (platform !== "lin") {
  // The SDK's -dl launch on macOS and Windows.
  const child = spawn("mcconfig", ["-dl", "-m", "-p", platform, "-o", out, manifest, ...settings], { stdio: "inherit", env });
  child.on("error", (error) => fail(error.message));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const port = await consolePort();
  const built = spawnSync("mcconfig", ["-d", "-l", "-m", "-t", "build", "-p", "lin", "-o", out, manifest, ...settings], { stdio: "inherit", env });
  if (built.error) fail(built.error.message);
  if (built.status !== 0) process.exit(built.status ?? 1);
  // mcconfig names the build after the folder that holds the manifest: a clone named otherwise
  // must not run the library another clone built.
  const project = basename(dirname(manifest));
  const makefile = readFileSync(join(out, "tmp", "lin", "mc", "debug", project, "makefile"), "utf8");
  const simulator = /^SIMULATOR = (.+)$/m.exec(makefile)?.[1] ?? join(tools, "mcsim");
  const library = join(out, "bin", "lin", "mc", "debug", project, "mc.so");
  const screen = await display();
  console.error(`sim:moddable: simulator on display ${screen.name}, log console on port ${port}`);
  const child = spawn("node", ["xsbug-log", simulator, library], {
    cwd: consoleDir,
    stdio: "inherit",
    env: { ...env, DISPLAY: screen.name, XSBUG_LOG_PORT: String(port), XSBUG_PORT: String(port), XSBUG_HOST: "localhost", XSBUG_PROJECT: process.cwd() },
  });
  const stop = () => child.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  child.on("error", (error) => {
    screen.stop();
    fail(error.message);
  });
  child.on("exit", (code, signal) => {
    screen.stop();
    process.exit(code ?? (signal ? 1 : 0));
  });
}
