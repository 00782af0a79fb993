// Jest side of simulator/xs/lab.ts: a bare XS machine in a child process (xsnap and SES never load
// inside a jest worker), driven by JSON lines.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface HeapFigures {
  slots: number;
  chunkBytes: number;
  boardBytes: number;
}

export interface Lab {
  readonly bundleBytes: number;
  /** Sends text to the entry's handler; resolves with its reply, rejects with the XS error and stack. */
  send(text: string): Promise<{ reply: string; compute: number }>;
  heap(): Promise<HeapFigures>;
  close(): Promise<void>;
}

interface Answer {
  ready?: boolean;
  bundleBytes?: number;
  reply?: string;
  compute?: number;
  error?: string;
  heap?: HeapFigures;
}

export async function startLab(entry: string): Promise<Lab> {
  const child = spawn(process.execPath, ["simulator/xs/run.mjs", "--lab", entry], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting: Array<{ resolve(answer: Answer): void; reject(error: Error): void }> = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`the XS lab exited: ${stderr.slice(-2000)}`));
  });
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.resolve(JSON.parse(line) as Answer));
  const next = (): Promise<Answer> => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ask = (request: object): Promise<Answer> => {
    const answer = next();
    child.stdin.write(`${JSON.stringify(request)}\n`);
    return answer;
  };
  const ready = await next();
  if (!ready.ready) throw new Error(`the XS lab failed to start: ${ready.error ?? stderr}`);
  return {
    bundleBytes: ready.bundleBytes ?? 0,
    async send(text) {
      const answer = await ask({ send: text });
      if (answer.error !== undefined) throw new Error(answer.error);
      return { reply: answer.reply ?? "", compute: answer.compute ?? 0 };
    },
    async heap() {
      const answer = await ask({ heap: true });
      if (!answer.heap) throw new Error(`no heap figures: ${answer.error ?? ""}`);
      return answer.heap;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
