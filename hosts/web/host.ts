// The ports the MQTT client needs, in a browser page: its clock and timers, MQTT over WebSocket,
// and a store in memory (a page keeps no outbox across reloads). The simulator's panel runs the
// firmware's own client (src/mqtt) on it: the fourth runtime of the same code.
import type { Host } from "../../src/host.js";
import { MemoryStore } from "../node/memory-store.js";
import { webSocketConnect, type WebSocketLike } from "./transport.js";

export type WebHost = Pick<Host, "clock" | "timers" | "connect" | "store" | "random" | "log">;

export function createWebHost(log: (line: string) => void): WebHost {
  return {
    clock: { now: () => performance.now(), epoch: () => Date.now() },
    timers: {
      set: (callback, ms) => setTimeout(callback, ms),
      clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    connect: webSocketConnect((url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike),
    // MemoryStore is plain TypeScript: it runs in a page as it does on Node.
    store: new MemoryStore(),
    random: Math.random,
    log,
  };
}
