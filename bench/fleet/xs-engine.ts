// The fleet in XS: every device is the firmware bundled for XS in its own xsnap machine, this
// process playing each one's board (simulator/xs/board.ts). Memory per device is read from each
// machine's heap snapshot (live slots and chunk bytes after a forced GC, as bench/xs.ts does).
// Import only from a process that ran `@endo/init` first (xsnap needs the realm locked down).
import { readdirSync, readFileSync } from "node:fs";
import { startBoard, type Board } from "../../simulator/xs/board.js";
import type { HeapFigures } from "../../simulator/xs/worker.js";
import type { Engine, FleetDevice, FleetHooks } from "./engine.js";

const LOG_LINES = 20;

/** Resident memory of this process's xsnap children, bytes (Linux /proc; undefined elsewhere). */
function xsnapRss(): { processes: number; bytes: number } | undefined {
  try {
    let processes = 0;
    let bytes = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const close = stat.lastIndexOf(")");
        const comm = stat.slice(stat.indexOf("(") + 1, close);
        const ppid = Number(stat.slice(close + 2).split(" ")[1]);
        if (ppid !== process.pid || !comm.startsWith("xsnap")) continue;
        processes++;
        bytes += Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096;
      } catch {
        // gone meanwhile
      }
    }
    return { processes, bytes };
  } catch {
    return undefined;
  }
}

function spread(values: number[], unit: (n: number) => string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, n) => sum + n, 0) / values.length;
  return `${unit(mean)} (min ${unit(sorted[0])}, max ${unit(sorted[sorted.length - 1])})`;
}

export function xsEngine(hooks: FleetHooks, fail: (error: Error) => void): Engine {
  const boards: Board[] = [];
  const baselines: HeapFigures[] = [];
  const logs: string[][] = [];
  const engine: Engine = {
    name: "xs",
    jitter: true,
    async baseline() {
      // Per board, taken as each starts (the bundle evaluated and the host made, app not started).
    },
    async start(index, raw) {
      const lines: string[] = (logs[index] = []);
      let connected = false;
      const board = await startBoard({
        clock: "real",
        emit: (event) => {
          if (event.type === "connected") connected = true;
          else if (event.type === "disconnected") connected = false;
          else if (event.type === "log") {
            lines.push(event.line);
            if (lines.length > LOG_LINES) lines.shift();
          }
        },
        fail: (error) => fail(new Error(`device ${index} (XS): ${error.message}`)),
        connect: (connect) => (options) => {
          hooks.attempt(index);
          return connect(options);
        },
      });
      boards[index] = board;
      board.host.random = () => (engine.jitter ? Math.random() : 0);
      board.host.pins.onOpen((pin) => {
        if (pin.name === "lamp" && pin.kind === "output") pin.onChange((change) => hooks.lamp(index, change.t));
      });
      baselines[index] = await board.worker.heap();
      const errors = await board.start(raw);
      if (errors.length > 0) throw new Error(`device ${index}: ${errors.join(" ")}`);
      const device: FleetDevice = { online: () => connected };
      return device;
    },
    async memory() {
      const heaps: HeapFigures[] = [];
      for (const board of boards) heaps.push(await board.worker.heap());
      const n = heaps.length;
      // Grouped by hand: under SES lockdown toLocaleString groups no digits.
      const count = (v: number): string => String(Math.round(v)).replace(/\B(?=(\d{3})+$)/g, ",");
      const bytes = (v: number): string => `${count(v)} B`;
      const rows: Array<[string, string]> = [
        [`XS live heap per device, board estimate (slots x 16 + chunk bytes; mean of ${n})`, spread(heaps.map((h) => h.boardBytes), bytes)],
        ["  of which the running app (minus the bundle-evaluated baseline)", spread(heaps.map((h, i) => h.boardBytes - baselines[i].boardBytes), bytes)],
        ["XS live slots per device", spread(heaps.map((h) => h.slots), count)],
        ["XS live chunk bytes per device (64-bit host)", spread(heaps.map((h) => h.chunkBytes), bytes)],
        ["XS compute per device so far (meter)", spread(boards.map((b) => b.worker.compute), count)],
      ];
      const rss = xsnapRss();
      if (rss && rss.processes > 0) rows.push([`xsnap process RSS per device (${rss.processes} processes)`, `${(rss.bytes / rss.processes / 1024 / 1024).toFixed(1)} MB`]);
      return rows;
    },
    log: (index) => logs[index] ?? [],
    async stop() {
      await Promise.all(
        boards.map(async (board) => {
          await board.stop().catch(() => undefined);
          await board.close();
        }),
      );
    },
  };
  return engine;
}
