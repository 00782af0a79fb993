// A bell ringer: plays a pulse pattern [on, off, on, ...] (ms) on a digital output through host
// timers, never blocking. Rule for a ring that arrives while ringing: it is queued, one deep, and
// starts when the current ring ends; a ring arriving while one is already queued is refused.
// Limits: a pattern may last at most maxDuration ms, and at most maxRate rings are accepted in
// any 60 s window, so a flood of commands cannot keep the bell going.
import type { Clock, DigitalOutput, TimerHandle, Timers } from "../host.js";

export const MAX_STEPS = 32;
export const RATE_WINDOW = 60_000;

export interface BellLimits {
  /** Longest pattern accepted, ms. */
  maxDuration: number;
  /** Rings accepted per RATE_WINDOW. */
  maxRate: number;
}

export interface BellOptions extends BellLimits {
  pin: DigitalOutput;
  clock: Clock;
  timers: Timers;
  /** Hears when a ring has played to its end, with its pattern (called as a method of `listener`). */
  listener: { onDone(pattern: readonly number[]): void };
}

export class Bell {
  #options: BellOptions;
  #limits: BellLimits;
  #pattern: readonly number[] | undefined;
  #queued: readonly number[] | undefined;
  #step = 0;
  /** When the current step ends, in clock.now() ms: steps are timed from the ring's start, so they never drift. */
  #due = 0;
  #timer: TimerHandle | undefined;
  /** clock.now() of each accepted ring in the last RATE_WINDOW, oldest first. */
  #accepted: number[] = [];

  constructor(options: BellOptions) {
    this.#options = options;
    this.#limits = { maxDuration: options.maxDuration, maxRate: options.maxRate };
    options.pin.write(0);
  }

  get ringing(): boolean {
    return this.#pattern !== undefined;
  }

  get queued(): boolean {
    return this.#queued !== undefined;
  }

  setLimits(limits: BellLimits): void {
    this.#limits = { maxDuration: limits.maxDuration, maxRate: limits.maxRate };
  }

  /** Starts or queues a ring; returns why it was refused, or undefined when accepted. */
  ring(pattern: readonly number[]): string | undefined {
    const problem = checkPattern(pattern, this.#limits.maxDuration);
    if (problem) return problem;
    if (this.#queued) return "busy: a ring is playing and another is queued.";
    const now = this.#options.clock.now();
    while (this.#accepted.length > 0 && now - this.#accepted[0] >= RATE_WINDOW) this.#accepted.shift();
    if (this.#accepted.length >= this.#limits.maxRate)
      return `rate limit: at most ${this.#limits.maxRate} rings per minute.`;
    this.#accepted.push(now);
    const copy = pattern.slice();
    if (this.#pattern) this.#queued = copy;
    else this.#begin(copy);
    return undefined;
  }

  /** Silences the bell and forgets any queued ring. */
  stop(): void {
    if (this.#timer !== undefined) this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#pattern = undefined;
    this.#queued = undefined;
    this.#options.pin.write(0);
  }

  #begin(pattern: readonly number[]): void {
    this.#pattern = pattern;
    this.#step = 0;
    this.#due = this.#options.clock.now();
    this.#enter();
  }

  #enter(): void {
    const pattern = this.#pattern;
    if (!pattern) return;
    const { pin, clock, timers } = this.#options;
    if (this.#step >= pattern.length) {
      this.#timer = undefined;
      this.#pattern = undefined;
      if (pattern.length % 2 === 1) pin.write(0);
      this.#options.listener.onDone(pattern);
      const next = this.#queued;
      this.#queued = undefined;
      if (next && !this.#pattern) this.#begin(next);
      return;
    }
    pin.write(this.#step % 2 === 0 ? 1 : 0);
    this.#due += pattern[this.#step];
    this.#step++;
    // A closure per step rather than one kept for good: on XS a kept closure costs ~200 bytes of heap.
    this.#timer = timers.set(() => this.#enter(), Math.max(0, this.#due - clock.now()));
  }
}

/** Why a pattern cannot be played within maxDuration, or undefined when it can. */
export function checkPattern(pattern: readonly number[], maxDuration: number): string | undefined {
  if (pattern.length === 0) return "pattern is empty.";
  if (pattern.length > MAX_STEPS) return `pattern has ${pattern.length} steps; at most ${MAX_STEPS}.`;
  let total = 0;
  for (const ms of pattern) {
    if (!Number.isInteger(ms) || ms < 1) return "pattern steps must be whole milliseconds of at least 1.";
    total += ms;
  }
  if (total > maxDuration) return `pattern lasts ${total} ms; at most ${maxDuration} ms.`;
  return undefined;
}
