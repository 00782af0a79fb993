// A virtual digital output: remembers its level changes with their times and tells listeners, so
// the simulator can draw them and tests can check a timeline.
import type { Clock, DigitalOutput } from "../../src/host.js";

export interface PinChange {
  /** The host clock's now() when the level changed. */
  t: number;
  value: 0 | 1;
}

export type PinListener = (change: PinChange, pin: VirtualPin) => void;

export class VirtualPin implements DigitalOutput {
  readonly name: string;
  /** Level changes, oldest first; the oldest are dropped beyond `limit` so a long run stays bounded. */
  readonly history: PinChange[] = [];
  /** Every write, including those that left the level as it was. */
  writes = 0;
  #value: 0 | 1 = 0;
  #clock: Clock;
  #limit: number;
  #listeners = new Set<PinListener>();

  constructor(name: string, clock: Clock, options: { limit?: number } = {}) {
    this.name = name;
    this.#clock = clock;
    this.#limit = options.limit ?? 10_000;
  }

  get value(): 0 | 1 {
    return this.#value;
  }

  write(value: number): void {
    this.writes++;
    const level = value ? 1 : 0;
    if (level === this.#value) return;
    this.#value = level;
    const change: PinChange = { t: this.#clock.now(), value: level };
    this.history.push(change);
    if (this.history.length > this.#limit) this.history.shift();
    for (const listener of this.#listeners) listener(change, this);
  }

  /** Calls `listener` on every level change; returns a function that stops it. */
  onChange(listener: PinListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
