// A real Mosquitto for tests: its own free loopback port, generated config and temp directory.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { accepts, dirWith } from "./local.js";

export interface Mosquitto {
  host: string;
  port: number;
  /** mqtt://127.0.0.1:PORT */
  url: string;
  /** With the tls option: the TLS listener's port and mqtts://127.0.0.1:PORT. */
  tlsPort?: number;
  tlsUrl?: string;
  /** Its temp directory: config, log, persistence database. */
  dir: string;
  /** SIGTERM and wait (Mosquitto saves its persistence database on the way out). */
  stop(): Promise<void>;
  /**
   * SIGKILL and wait: a crash. With persistence, Mosquitto saves each change just after acknowledging
   * it, so a message PUBACKed a moment before the kill may be lost by the broker itself.
   */
  kill(): Promise<void>;
  /** Starts it again (stopping it first if it runs) on the same port with the same persistence. */
  restart(): Promise<void>;
}

export interface MosquittoOptions {
  /** Keep sessions and messages in a database in `dir`, saved on every change so kill() loses none. */
  persistence?: boolean;
  /** A fixed port; by default a free one. */
  port?: number;
  /** Also listen for TLS with this certificate and key (PEM; see makeTestCertificate in certs.ts). */
  tls?: { cert: string; key: string };
  /** Extra config lines. */
  config?: string[];
}

const INSTALL = "mosquitto not found: install it (apt-get install mosquitto mosquitto-clients)";

/** Mosquitto's path: $MOSQUITTO, else PATH, else the sbin directories Debian installs it in. */
export function findMosquitto(env: NodeJS.ProcessEnv = process.env, sbin = ["/usr/sbin", "/usr/local/sbin"]): string {
  if (env.MOSQUITTO) return env.MOSQUITTO;
  const dir = dirWith([...(env.PATH ?? "").split(delimiter), ...sbin], "mosquitto");
  if (dir === undefined) throw new Error(INSTALL);
  return join(dir, "mosquitto");
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Brokers still running when the test process ends are killed, so a failed test leaks none.
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let cleanupInstalled = false;
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function configText(host: string, port: number, tlsPort: number, dir: string, options: MosquittoOptions): string {
  const lines = [
    `listener ${port} ${host}`,
    "allow_anonymous true",
    // As root Mosquitto would switch to the user "mosquitto", who cannot write our temp directory.
    `user ${userInfo().username}`,
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
  ];
  if (options.persistence) {
    lines.push(
      "persistence true",
      `persistence_location ${dir}/`,
      "persistence_file mosquitto.db",
      // Saved after every change, so a kill -9 loses at most what changed in the last moment.
      "autosave_on_changes true",
      "autosave_interval 1",
    );
  }
  if (options.tls) {
    lines.push(`listener ${tlsPort} ${host}`, `certfile ${join(dir, "cert.pem")}`, `keyfile ${join(dir, "key.pem")}`);
  }
  lines.push(...(options.config ?? []));
  return lines.join("\n") + "\n";
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = findMosquitto();
  installCleanup();
  const host = "127.0.0.1";
  let port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "mosquitto-"));
  dirs.add(dir);
  let tlsPort = options.tls ? await freePort() : 0;
  if (options.tls) {
    writeFileSync(join(dir, "cert.pem"), options.tls.cert);
    writeFileSync(join(dir, "key.pem"), options.tls.key);
  }
  const configFile = join(dir, "mosquitto.conf");
  const writeConfig = (): void => writeFileSync(configFile, configText(host, port, tlsPort, dir, options));
  writeConfig();

  let child: ChildProcess | undefined;
  let stderr = "";

  const launch = async (): Promise<void> => {
    stderr = "";
    const proc = spawn(binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    running.add(proc);
    let exited: string | undefined;
    proc.stderr?.on("data", (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-4000);
    });
    proc.once("error", (error) => (exited = error.message));
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      exited ??= `exited with ${signal ?? code}`;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`mosquitto on port ${port} ${exited}: ${stderr.trim()}`);
      if (await accepts(port)) return;
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`mosquitto did not accept connections on port ${port} within 10 s: ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill(signal);
    await gone;
  };

  // A free port can be taken by someone else before Mosquitto binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (options.port !== undefined || attempt >= 3 || !/in use/i.test((error as Error).message)) throw error;
      port = await freePort();
      if (options.tls) tlsPort = await freePort();
      writeConfig();
    }
  }
  return {
    host,
    port,
    url: `mqtt://${host}:${port}`,
    ...(options.tls ? { tlsPort, tlsUrl: `mqtts://${host}:${tlsPort}` } : {}),
    dir,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    restart: async () => {
      await end("SIGTERM");
      await launch();
    },
  };
}
