// A bare XS machine for tests: `node simulator/xs/run.mjs --lab <xs-entry.ts>` bundles the entry,
// evaluates it in xsnap, then answers JSON lines on stdin, one JSON line on stdout each:
// {"send":"text"} -> {"reply":"text","compute":n} (or {"error":"XS error and stack"});
// {"heap":true} -> {"heap":{slots,chunkBytes,boardBytes}}. Jest spawns it (never xsnap in a jest worker).
import { createInterface } from "node:readline";
import { bundleForXs } from "./bundle.js";
import { XsError, startWorker } from "./worker.js";

export async function runLab(entry: string): Promise<void> {
  const bundle = await bundleForXs(entry);
  const worker = await startWorker({ name: "xs-lab", handle: () => new Uint8Array(0), bundle: () => bundle.code });
  const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  try {
    await worker.evaluate(bundle.code);
  } catch (error) {
    print({ error: (error as Error).message });
    process.exit(1);
  }
  print({ ready: true, bundleBytes: bundle.bytes });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as { send?: string; heap?: boolean };
    try {
      if (request.heap) {
        print({ heap: await worker.heap() });
      } else {
        const before = worker.compute;
        const reply = await worker.send(new TextEncoder().encode(request.send ?? ""));
        print({ reply: new TextDecoder().decode(reply), compute: worker.compute - before });
      }
    } catch (error) {
      if (!(error instanceof XsError)) throw error;
      print({ error: error.message });
    }
  }
  await worker.close();
}
