// The Host on Node: net/tls transport, real or virtual time, a directory or memory store, and
// virtual pins, opened by name as the app asks for them, that the simulator and the tests can watch
// and drive.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { Clock, Connect, Host, Store, Timers } from "../../src/host.js";
import { webSocketConnect, type WebSocketLike } from "../web/transport.js";
import { FileStore } from "./file-store.js";
import { MemoryStore } from "./memory-store.js";
import { VirtualPins } from "./pins.js";
import { tlsConnectionOptions } from "./tls.js";
import { connect } from "./transport.js";

export interface NodeHostOptions {
  /** A directory for the store; without it (and without `store`) the store lives in memory. */
  storeDir?: string;
  store?: Store;
  /** Time for the clock and the timers (a VirtualClock in tests); real time by default. */
  clock?: Clock & Timers;
  /** Seed for the analog inputs' drift. */
  seed?: number;
  random?: () => number;
  log?: (line: string) => void;
  /** PEM CA certificate(s) trusted for TLS when the caller of connect gives none (a private broker CA). */
  ca?: string;
}

export type NodeHost = Omit<Host, "pins"> & { readonly pins: VirtualPins };

const realClock: Clock = {
  now: () => performance.now(),
  epoch: () => Date.now(),
};

const nodeTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** MQTT over TCP (net, tls), or over WebSocket (`ws`) for a ws:// or wss:// broker. */
function connectTo(defaultCa: string | undefined): Connect {
  return (options) => {
    if (options.path === undefined) return connect(options, defaultCa);
    // wss:// takes the same TLS options; ws:// takes none.
    // Read inside the opener, so a missing file is reported through onError like any failed open.
    const open = (url: string, protocols: string[]) =>
      new WebSocket(url, protocols, options.secure ? tlsConnectionOptions(options.host, options.tls, defaultCa) : {}) as unknown as WebSocketLike;
    return webSocketConnect(open)(options);
  };
}

export function createNodeHost(options: NodeHostOptions = {}): NodeHost {
  const clock: Clock = options.clock ?? realClock;
  const timers: Timers = options.clock ?? nodeTimers;
  const store = options.store ?? (options.storeDir ? new FileStore(options.storeDir) : new MemoryStore());
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    clock,
    timers,
    // The options object is passed on as it is: its callbacks are its methods (src/host.ts).
    connect: connectTo(options.ca),
    store,
    pins: new VirtualPins(clock, options.seed),
    random: options.random ?? Math.random,
    log,
    freeMemory: () => {
      const { heapTotal, heapUsed } = process.memoryUsage();
      return heapTotal - heapUsed;
    },
  };
}
