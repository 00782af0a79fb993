// A clock and timers that move only when told to (tests, and the simulator's --clock virtual), so timing
// behaviour is exact and instant.
import type { Clock, TimerHandle, Timers } from "../../src/host.js";

interface Entry {
  id: number;
  due: number;
  callback: () => void;
}

/** Fired per advance() before we call it a runaway (a callback re-arming itself with 0 ms). */
const MAX_FIRINGS = 1_000_000;

export class VirtualClock implements Clock, Timers {
  #now: number;
  /** Epoch ms at monotonic time 0, or undefined while the "device" has no wall-clock time. */
  #epochBase: number | undefined;
  /** Sorted by due time, then by creation, so equal deadlines fire in the order they were set. */
  #queue: Entry[] = [];
  #nextId = 1;

  constructor(options: { now?: number; epoch?: number } = {}) {
    this.#now = options.now ?? 0;
    this.#epochBase = options.epoch === undefined ? undefined : options.epoch - this.#now;
  }

  now(): number {
    return this.#now;
  }

  epoch(): number | undefined {
    return this.#epochBase === undefined ? undefined : this.#epochBase + this.#now;
  }

  /** Sets the wall-clock time as of now (undefined: unknown, as before SNTP); it then advances with now(). */
  setEpoch(epochMs: number | undefined): void {
    this.#epochBase = epochMs === undefined ? undefined : epochMs - this.#now;
  }

  set(callback: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const entry: Entry = { id: this.#nextId++, due: this.#now + delay, callback };
    let i = this.#queue.length;
    while (i > 0 && this.#queue[i - 1].due > entry.due) i--;
    this.#queue.splice(i, 0, entry);
    return entry.id;
  }

  clear(handle: TimerHandle): void {
    const i = this.#queue.findIndex((entry) => entry.id === handle);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  /** Timers set and not yet fired or cleared. */
  pending(): number {
    return this.#queue.length;
  }

  /** When the next timer is due, or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.#queue[0]?.due;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in time order (those set by
   * callbacks included); during a callback now() is that timer's due time.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ${ms} is not a duration in ms`);
    const end = this.#now + ms;
    let fired = 0;
    while (this.#queue.length > 0 && this.#queue[0].due <= end) {
      const entry = this.#queue.shift() as Entry;
      this.#now = entry.due;
      if (++fired > MAX_FIRINGS) {
        throw new Error("VirtualClock.advance: over a million timers fired; does one re-arm itself with 0 ms?");
      }
      entry.callback();
    }
    this.#now = end;
  }

  /** Fires timers until none is pending (bounded by `limitMs` of virtual time); returns the time moved. */
  runAll(limitMs = 3_600_000): number {
    const start = this.#now;
    while (this.#queue.length > 0 && this.#queue[0].due - start <= limitMs) {
      this.advance(this.#queue[0].due - this.#now);
    }
    return this.#now - start;
  }
}
