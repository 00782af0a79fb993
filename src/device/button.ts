// A push button on a digital input: edges debounced, then told apart as a press, a long press
// (held for longMs: said while still held) or a double press (two presses within doubleMs; a
// single one is said once that time has passed without a second). It is the input's options
// object: the host calls its onChange on every raw edge. One timer serves every deadline.
import type { Clock, InputOptions, TimerHandle, Timers } from "../host.js";

export type ButtonEvent = "press" | "long" | "double";

export interface ButtonOptions {
  clock: Clock;
  timers: Timers;
  /** Pressed reads 0: a button to ground, with the pull-up on. */
  activeLow: boolean;
  /** Edges closer together than this are bounce, ms. */
  debounce: number;
  /** Held this long is a long press, ms. */
  long: number;
  /** A second press within this long after the first is a double press, ms; 0: no double presses. */
  double: number;
  /** Hears each press (called as a method of `listener`). */
  listener: { onButton(event: ButtonEvent): void };
}

const NONE = Infinity;

export class Button implements InputOptions {
  readonly pull: "up" | undefined;
  readonly #options: ButtonOptions;
  /** The level as the last edge left it, and the level once it stayed put for `debounce`. */
  #raw = -1;
  #stable = -1;
  #pressed = false;
  #longSaid = false;
  /** This press began while the first one waited for a second: its release is a double press. */
  #second = false;
  /** A short press waits for a second one until this time. */
  #pendingUntil = NONE;
  #settleAt = NONE;
  #longAt = NONE;
  #timer: TimerHandle | undefined;
  #due = NONE;

  constructor(options: ButtonOptions) {
    this.#options = options;
    this.pull = options.activeLow ? "up" : undefined;
  }

  /** The level the input reads at open: where debouncing starts from. */
  start(level: number): void {
    this.#raw = this.#stable = level ? 1 : 0;
    this.#pressed = this.#isPressed(this.#stable);
  }

  /** A raw edge, from the host. */
  onChange(value: number): void {
    this.#raw = value ? 1 : 0;
    this.#settleAt = this.#options.clock.now() + this.#options.debounce;
    this.#schedule();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#due = this.#settleAt = this.#longAt = this.#pendingUntil = NONE;
  }

  #isPressed(level: number): boolean {
    return (level === 0) === this.#options.activeLow;
  }

  #run(): void {
    const now = this.#options.clock.now();
    if (now >= this.#settleAt) {
      this.#settleAt = NONE;
      if (this.#raw !== this.#stable) {
        this.#stable = this.#raw;
        const pressed = this.#isPressed(this.#stable);
        if (pressed !== this.#pressed) {
          this.#pressed = pressed;
          if (pressed) this.#down(now);
          else this.#up(now);
        }
      }
    }
    if (now >= this.#longAt) {
      this.#longAt = NONE;
      this.#longSaid = true;
      this.#second = false;
      this.#options.listener.onButton("long");
    }
    if (now >= this.#pendingUntil) {
      this.#pendingUntil = NONE;
      this.#options.listener.onButton("press");
    }
    this.#schedule();
  }

  #down(now: number): void {
    this.#longSaid = false;
    this.#longAt = now + this.#options.long;
    if (this.#pendingUntil !== NONE) {
      this.#second = true;
      this.#pendingUntil = NONE;
    }
  }

  #up(now: number): void {
    this.#longAt = NONE;
    const second = this.#second;
    this.#second = false;
    if (this.#longSaid) return;
    if (second) {
      this.#options.listener.onButton("double");
    } else if (this.#options.double > 0) {
      this.#pendingUntil = now + this.#options.double;
    } else {
      this.#options.listener.onButton("press");
    }
  }

  /** The one timer, set for the nearest deadline. */
  #schedule(): void {
    const due = Math.min(this.#settleAt, this.#longAt, this.#pendingUntil);
    if (due === this.#due) return;
    const { clock, timers } = this.#options;
    if (this.#timer !== undefined) timers.clear(this.#timer);
    this.#timer = undefined;
    this.#due = due;
    // A closure per deadline, not one kept for good: presses are rare, and a kept one costs heap.
    if (due !== NONE) this.#timer = timers.set(() => this.#tick(), Math.max(0, due - clock.now()));
  }

  #tick(): void {
    this.#timer = undefined;
    this.#due = NONE;
    this.#run();
  }
}
