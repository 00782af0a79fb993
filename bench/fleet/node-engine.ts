// The fleet on Node: every device is the firmware's app (src/app.ts) on its own Node host (memory
// store, virtual pins, a seeded sensor), all in this process. Memory per device is the V8 heap
// growth (after a forced GC when node runs with --expose-gc) divided by the device count.
import { createNodeHost } from "../../hosts/node/host.js";
import { MemoryStore } from "../../hosts/node/memory-store.js";
import start, { type App } from "../../src/app.js";
import { parseConfig } from "../../src/config.js";
import type { Host } from "../../src/host.js";
import type { Engine, FleetDevice, FleetHooks } from "./engine.js";

const LOG_LINES = 20;

const gc = (globalThis as { gc?: () => void }).gc;

function collect(): void {
  // Twice: the first pass may leave finalizers whose objects the second frees.
  gc?.();
  gc?.();
}

export function nodeEngine(hooks: FleetHooks): Engine {
  const apps: App[] = [];
  const logs: string[][] = [];
  let heap0 = 0;
  let rss0 = 0;
  const engine: Engine = {
    name: "node",
    jitter: true,
    async baseline() {
      collect();
      ({ heapUsed: heap0, rss: rss0 } = process.memoryUsage());
    },
    async start(index, raw) {
      const parsed = parseConfig(raw);
      if (!parsed.ok) throw new Error(`device ${index}: ${parsed.errors.join(" ")}`);
      const lines: string[] = (logs[index] = []);
      const node = createNodeHost({
        store: new MemoryStore(),
        seed: index + 1,
        random: () => (engine.jitter ? Math.random() : 0),
        log: (line) => {
          lines.push(line);
          if (lines.length > LOG_LINES) lines.shift();
        },
      });
      node.pins.onOpen((pin) => {
        if (pin.name === "lamp" && pin.kind === "output") pin.onChange((change) => hooks.lamp(index, change.t));
      });
      const host: Host = {
        ...node,
        connect: (options) => {
          hooks.attempt(index);
          return node.connect(options);
        },
      };
      const app = start(host, parsed.config);
      apps[index] = app;
      const device: FleetDevice = { online: () => app.client.connected };
      return device;
    },
    async memory() {
      const n = apps.length;
      collect();
      const { heapUsed, rss } = process.memoryUsage();
      const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
      return [
        [`V8 heapUsed per device (growth / ${n}${gc ? ", after gc" : ", no gc: run node with --expose-gc"})`, kb((heapUsed - heap0) / n)],
        [`RSS per device (growth / ${n}, process incl. sockets)`, kb((rss - rss0) / n)],
        ["V8 heapUsed, whole process", `${(heapUsed / 1024 / 1024).toFixed(1)} MB`],
      ];
    },
    log: (index) => logs[index] ?? [],
    async stop() {
      await Promise.all(apps.map((app) => new Promise<void>((resolve) => app.stop(resolve))));
    },
  };
  return engine;
}
