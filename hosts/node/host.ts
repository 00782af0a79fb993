// The Host on Node: net/tls transport, real or virtual time, a directory or memory store, virtual
// pins and a simulated sensor that the simulator and the tests can watch and steer.
import { performance } from "node:perf_hooks";
import type { Clock, Host, SensorPort, Store, Timers } from "../../src/host.js";
import { FileStore } from "./file-store.js";
import { MemoryStore } from "./memory-store.js";
import { VirtualPin } from "./pins.js";
import { SimulatedSensor } from "./sensor.js";
import { connect } from "./transport.js";

export interface NodeHostOptions<S extends SensorPort> {
  /** A directory for the store; without it (and without `store`) the store lives in memory. */
  storeDir?: string;
  store?: Store;
  /** Time for the clock and the timers (a VirtualClock in tests); real time by default. */
  clock?: Clock & Timers;
  sensor?: S;
  /** Seed for the default simulated sensor. */
  seed?: number;
  random?: () => number;
  log?: (line: string) => void;
  /** PEM CA certificate(s) trusted for TLS when the caller of connect gives none (a private broker CA). */
  ca?: string;
}

export type NodeHost<S extends SensorPort = SimulatedSensor> = Host & {
  readonly pins: { readonly lamp: VirtualPin; readonly bell: VirtualPin };
  readonly sensor: S;
};

const realClock: Clock = {
  now: () => performance.now(),
  epoch: () => Date.now(),
};

const nodeTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createNodeHost<S extends SensorPort = SimulatedSensor>(
  options: NodeHostOptions<S> = {},
): NodeHost<S> {
  const clock: Clock = options.clock ?? realClock;
  const timers: Timers = options.clock ?? nodeTimers;
  const store = options.store ?? (options.storeDir ? new FileStore(options.storeDir) : new MemoryStore());
  const lamp = new VirtualPin("lamp", clock);
  const bell = new VirtualPin("bell", clock);
  // Without a sensor given, S is its default, SimulatedSensor.
  const sensor = options.sensor ?? (new SimulatedSensor({ clock, seed: options.seed }) as unknown as S);
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    clock,
    timers,
    // The options object is passed on as it is: its callbacks are its methods (src/host.ts).
    connect: options.ca === undefined ? connect : (transport) => connect(transport, options.ca),
    store,
    lamp,
    bell,
    sensor,
    pins: { lamp, bell },
    random: options.random ?? Math.random,
    log,
    freeMemory: () => {
      const { heapTotal, heapUsed } = process.memoryUsage();
      return heapTotal - heapUsed;
    },
  };
}
