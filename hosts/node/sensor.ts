// A simulated temperature sensor: a slow drift (two slow waves, phases from a seed) plus a little
// noise, so readings look alive yet repeat for a given seed and clock; tests can pin the value.
import type { Clock, SensorPort } from "../../src/host.js";

/** A small seeded generator (mulberry32): repeatable noise without touching Math.random. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedSensorOptions {
  clock: Clock;
  seed?: number;
  /** The level the drift wanders around. */
  base?: number;
  unit?: string;
}

export class SimulatedSensor implements SensorPort {
  readonly unit: string;
  #clock: Clock;
  #random: () => number;
  #base: number;
  #phases: [number, number];
  #override: number | undefined;
  #failing = false;

  constructor(options: SimulatedSensorOptions) {
    this.#clock = options.clock;
    this.#random = seeded(options.seed ?? 1);
    this.#base = options.base ?? 21;
    this.unit = options.unit ?? "C";
    this.#phases = [this.#random() * 2 * Math.PI, this.#random() * 2 * Math.PI];
  }

  sample(): number | undefined {
    if (this.#failing) return undefined;
    if (this.#override !== undefined) return this.#override;
    const minutes = this.#clock.now() / 60_000;
    const drift =
      1.5 * Math.sin((2 * Math.PI * minutes) / 47 + this.#phases[0]) +
      0.5 * Math.sin((2 * Math.PI * minutes) / 7 + this.#phases[1]);
    const noise = (this.#random() - 0.5) * 0.1;
    // A real sensor has a resolution; two decimals keep the readings honest and short.
    return Math.round((this.#base + drift + noise) * 100) / 100;
  }

  /** Pins the value (undefined: back to the model). */
  set(value: number | undefined): void {
    this.#override = value;
  }

  /** While on, sample() returns undefined, as a sensor that cannot be read. */
  fail(on: boolean): void {
    this.#failing = on;
  }
}
