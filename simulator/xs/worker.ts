// An XS machine in an xsnap child process, seen from Node: evaluate scripts, send command frames,
// sum the meter, measure the live heap. Import it only from a process started by run.mjs: xsnap
// needs the realm locked down by `@endo/init`, which must never happen inside a jest worker.
import { xsnap, type XSnap } from "@agoric/xsnap";
import { spawn, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { type } from "node:os";
import { tmpName } from "tmp";
import { Reply } from "./protocol.js";
import { explainStack } from "./bundle.js";

/** A live heap, after the garbage collection a snapshot forces. */
export interface HeapFigures {
  /** Live slots. */
  slots: number;
  /** Live chunk bytes (headers included) as this 64-bit host lays them out: an upper bound for the board. */
  chunkBytes: number;
  /** Estimate for a 32-bit board: slots x 16 bytes + chunk bytes. */
  boardBytes: number;
}

export interface XsWorker {
  /** Evaluates a script (a bundle) as a global script. */
  evaluate(code: string): Promise<void>;
  /** Sends one frame to the XS side's handleCommand and resolves with its reply payload. */
  send(frame: Uint8Array): Promise<Uint8Array>;
  /** Compute units spent in XS so far (xsnap's meter, summed over every crank). */
  readonly compute: number;
  heap(): Promise<HeapFigures>;
  close(): Promise<void>;
  kill(): Promise<void>;
}

/** An exception thrown inside XS: its message carries the XS error and stack. */
export class XsError extends Error {
  override name = "XsError";
}

const BOARD_SLOT_BYTES = 16;

export async function startWorker(options: {
  name: string;
  /** Answers issueCommand from XS; must not throw (XS is blocked until it answers). */
  handle(request: Uint8Array): Uint8Array;
  /** The evaluated bundle, to name the source file in XS stacks. */
  bundle?: () => string;
}): Promise<XsWorker> {
  let compute = 0;
  const worker: XSnap = await xsnap({
    os: type(),
    // Its own process group: a Ctrl-C at the terminal goes to the device process, which stops the
    // app in XS cleanly (offline, DISCONNECT), instead of killing the XS machine under it.
    spawn: ((command: string, args: readonly string[], options: SpawnOptions) =>
      spawn(command, args, { ...options, detached: true })) as typeof spawn,
    fs: { ...fs, ...fsp, tmpName },
    name: options.name,
    stdout: "inherit",
    stderr: "inherit",
    // The default per-crank limit (1e8) would stop a 10,000-publish burst; keep a bound anyway.
    meteringLimit: 2_000_000_000,
    handleCommand: async (request) => options.handle(request),
  });
  const explain = (text: string): string => (options.bundle ? explainStack(text, options.bundle()) : text);
  const count = (units: number | null): void => {
    compute += units ?? 0;
  };
  return {
    get compute() {
      return compute;
    },
    async evaluate(code) {
      try {
        count((await worker.evaluate(code)).meterUsage.compute);
      } catch (error) {
        throw new XsError(explain(String((error as Error).message)));
      }
    },
    async send(frame) {
      const { reply, meterUsage } = await worker.issueCommand(frame);
      count(meterUsage.compute);
      if (reply[0] === Reply.thrown) throw new XsError(explain(new TextDecoder().decode(reply.subarray(1))));
      return reply.subarray(1);
    },
    async heap() {
      const parts: Uint8Array[] = [];
      for await (const part of worker.makeSnapshotStream("heap")) parts.push(part);
      return measureSnapshot(Buffer.concat(parts));
    },
    close: () => worker.close().catch(() => undefined),
    kill: () => worker.terminate(),
  };
}

/** Reads the live slot count and chunk bytes from an XS snapshot's HEAP and BLOC atoms. */
function measureSnapshot(bytes: Buffer): HeapFigures {
  let slotSize = 0;
  let slotBytes = 0;
  let chunkBytes = 0;
  // A 4-byte size and the "XS_M" tag, then atoms: 4-byte big-endian size (header included), 4-byte tag.
  for (let at = 8; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    const tag = bytes.toString("latin1", at + 4, at + 8);
    if (tag === "VERS") slotSize = Math.abs(bytes.readInt8(at + 11));
    else if (tag === "BLOC") chunkBytes = size - 8;
    else if (tag === "HEAP") slotBytes = size - 8;
    if (size < 8) break;
    at += size;
  }
  if (slotSize === 0) throw new Error("unreadable XS snapshot: no VERS atom");
  const slots = slotBytes / slotSize;
  return { slots, chunkBytes, boardBytes: slots * BOARD_SLOT_BYTES + chunkBytes };
}
