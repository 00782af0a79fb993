// Virtual pins for the Node host, by kind, opened by name as the app asks for them: outputs that
// remember their level changes with their times, inputs whose level the simulator or a test sets,
// and analog inputs that drift (or hold a value they are given). Listeners hear of each open and
// change, so the simulator can show whatever devices the table declares.
import type { AnalogInput, Clock, DigitalInput, DigitalOutput, InputOptions, Pins } from "../../src/host.js";
import { seeded } from "./seeded.js";

export interface PinChange {
  /** The host clock's now() when the level changed. */
  t: number;
  value: 0 | 1;
}

export type PinListener = (change: PinChange, pin: VirtualPin) => void;

export class VirtualPin implements DigitalOutput {
  readonly kind = "output";
  readonly name: string;
  readonly pin: number;
  /** Level changes, oldest first; the oldest are dropped beyond `limit` so a long run stays bounded. */
  readonly history: PinChange[] = [];
  /** Every write, including those that left the level as it was. */
  writes = 0;
  #value: 0 | 1 = 0;
  #clock: Clock;
  #limit: number;
  #listeners = new Set<PinListener>();

  constructor(name: string, clock: Clock, options: { limit?: number; pin?: number } = {}) {
    this.name = name;
    this.pin = options.pin ?? -1;
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

/** A digital input: it rests at its pull's level (high with a pull-up) until set. */
export class VirtualInput implements DigitalInput {
  readonly kind = "input";
  readonly name: string;
  readonly pin: number;
  /** The level it reads when nothing drives it. */
  readonly resting: 0 | 1;
  #value: 0 | 1;
  readonly #options: InputOptions;

  constructor(name: string, pin: number, options: InputOptions) {
    this.name = name;
    this.pin = pin;
    this.resting = options.pull === "up" ? 1 : 0;
    this.#value = this.resting;
    this.#options = options;
  }

  read(): number {
    return this.#value;
  }

  /** Drives the level; an edge reaches the device at once, as an interrupt would. */
  set(value: number): void {
    const level = value ? 1 : 0;
    if (level === this.#value) return;
    this.#value = level;
    for (const listener of this.#watchers) listener(level);
    this.#options.onChange(level);
  }

  /** Calls `listener` on every level the input is driven to (the device hears of it too). */
  watch(listener: (value: 0 | 1) => void): void {
    this.#watchers.add(listener);
  }

  readonly #watchers = new Set<(value: 0 | 1) => void>();
}


/**
 * An analog input in millivolts: a slow drift (two slow waves, phases from a seed) plus a little
 * noise around `base`, so readings look alive yet repeat for a given seed and clock; or a value it
 * was given; or unreadable.
 */
export class VirtualAnalog implements AnalogInput {
  readonly kind = "analog";
  readonly name: string;
  readonly pin: number;
  #clock: Clock;
  #random: () => number;
  #base: number;
  #phases: [number, number];
  #value: number | undefined;
  #failing = false;
  /** Hears each reading the device takes (the simulator's panel shows them). */
  onRead: ((millivolts: number | undefined) => void) | undefined;

  constructor(name: string, pin: number, clock: Clock, options: { seed?: number; base?: number } = {}) {
    this.name = name;
    this.pin = pin;
    this.#clock = clock;
    this.#random = seeded(options.seed ?? 1);
    this.#base = options.base ?? 710;
    this.#phases = [this.#random() * 2 * Math.PI, this.#random() * 2 * Math.PI];
  }

  read(): number | undefined {
    const value = this.#sample();
    this.onRead?.(value);
    return value;
  }

  /** Holds the input at `millivolts` (undefined: back to the drift). */
  set(millivolts: number | undefined): void {
    this.#value = millivolts;
  }

  /** While on, read() returns undefined, as an input that cannot be read. */
  fail(on: boolean): void {
    this.#failing = on;
  }

  #sample(): number | undefined {
    if (this.#failing) return undefined;
    if (this.#value !== undefined) return this.#value;
    const minutes = this.#clock.now() / 60_000;
    const drift = 15 * Math.sin((2 * Math.PI * minutes) / 47 + this.#phases[0]) + 5 * Math.sin((2 * Math.PI * minutes) / 7 + this.#phases[1]);
    const noise = (this.#random() - 0.5) * 1;
    return Math.round((this.#base + drift + noise) * 10) / 10;
  }
}

export type AnyPin = VirtualPin | VirtualInput | VirtualAnalog;

/** The pins the app opened, by name; listeners hear of each as it opens. */
export class VirtualPins implements Pins {
  readonly #clock: Clock;
  readonly #seed: number;
  readonly #pins = new Map<string, AnyPin>();
  readonly #listeners = new Set<(pin: AnyPin) => void>();

  constructor(clock: Clock, seed = 1) {
    this.#clock = clock;
    this.#seed = seed;
  }

  output(name: string, pin: number): VirtualPin {
    return this.#opened(new VirtualPin(name, this.#clock, { pin }));
  }

  input(name: string, pin: number, options: InputOptions): VirtualInput {
    return this.#opened(new VirtualInput(name, pin, options));
  }

  analog(name: string, pin: number): VirtualAnalog {
    return this.#opened(new VirtualAnalog(name, pin, this.#clock, { seed: this.#seed + this.#pins.size }));
  }

  /** The pin the app opened under `name`, if any. */
  get(name: string): AnyPin | undefined {
    return this.#pins.get(name);
  }

  all(): AnyPin[] {
    return [...this.#pins.values()];
  }

  /** Calls `listener` for every pin opened from now on; returns a function that stops it. */
  onOpen(listener: (pin: AnyPin) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #opened<P extends AnyPin>(pin: P): P {
    this.#pins.set(pin.name, pin);
    for (const listener of this.#listeners) listener(pin);
    return pin;
  }
}
