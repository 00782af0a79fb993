// An Aedes broker for tests on a free loopback port (see aedes-server.mjs for why it is a child process).
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface AedesBroker {
  port: number;
  /** mqtt://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

// Jest runs this file as CommonJS (__dirname); a bundle made by tools/run.mjs runs from the repo root.
const here = typeof __dirname === "string" ? __dirname : join(process.cwd(), "test", "support");

export async function startAedes(): Promise<AedesBroker> {
  const child = spawn(process.execPath, [join(here, "aedes-server.mjs")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`aedes did not start within 10 s: ${stderr}`)), 10_000);
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n")) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`aedes exited with ${code} before listening: ${stderr}`));
    });
  });
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

export interface EmbeddedAedes extends AedesBroker {
  /** ws://127.0.0.1:PORT/mqtt: the same broker over WebSocket. */
  wsUrl: string;
  /** Takes the broker down (clients cut, port closed) or brings it back on the same port. */
  setUp(up: boolean): Promise<void>;
}

/** The simulator's own embedded broker (TCP and WebSocket), in a process of its own. */
export async function startEmbeddedAedes(): Promise<EmbeddedAedes> {
  const root = join(here, "..", "..");
  const child = spawn(process.execPath, [join(root, "tools", "run.mjs"), join("test", "support", "embedded-broker-process.ts")], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let pending = "";
  child.stdout.on("data", (data: Buffer) => {
    pending += data.toString();
    for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const next = (what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const early = lines.shift();
      if (early !== undefined) return resolve(early);
      const timer = setTimeout(() => reject(new Error(`the embedded broker did not answer (${what}) within 15 s: ${stderr}`)), 15_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const { port, wsPort } = JSON.parse(await next("start")) as { port: number; wsPort: number };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
    async setUp(up) {
      child.stdin.write(up ? "up\n" : "down\n");
      const answer = JSON.parse(await next(up ? "up" : "down")) as { up?: boolean; error?: string };
      if (answer.up !== up) throw new Error(`the embedded broker is not ${up ? "up" : "down"}: ${answer.error ?? ""}`);
    },
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
