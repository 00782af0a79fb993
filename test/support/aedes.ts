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
