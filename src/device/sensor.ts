// A sensor reader: samples a sensor port every samplePeriod ms and reports a reading when it
// moved more than the deadband from the last reported one, or when reportPeriod ms passed since
// then (a heartbeat). Each reading carries the wall-clock time it was taken.
import type { Clock, TimerHandle, Timers } from "../host.js";

/** What a sensor gives: a value in its unit (the conversion from the pin is the sensor's own). */
export interface SensorPort {
  readonly unit: string;
  /** The current value, or undefined when the sensor could not be read. */
  sample(): number | undefined;
}

export interface Reading {
  value: number;
  unit: string;
  /** ms since the epoch when sampled, or undefined while the host has no wall-clock time. */
  ts: number | undefined;
}

export interface SensorSettings {
  samplePeriod: number;
  reportPeriod: number;
  deadband: number;
}

export interface SensorOptions extends SensorSettings {
  port: SensorPort;
  clock: Clock;
  timers: Timers;
  /** Hears each reading to report (called as a method of `listener`). */
  listener: { onReading(reading: Reading): void };
}

export class SensorReader {
  #options: SensorOptions;
  #settings: SensorSettings;
  #timer: TimerHandle | undefined;
  /** clock.now() when the next sample is due; samples are spaced from this, so they do not drift. */
  #due = 0;
  #last: number | undefined;
  #lastAt = 0;
  /** Samples the port could not give. */
  misses = 0;

  constructor(options: SensorOptions) {
    this.#options = options;
    this.#settings = { samplePeriod: options.samplePeriod, reportPeriod: options.reportPeriod, deadband: options.deadband };
  }

  /** Takes a first sample now, then one every samplePeriod. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#due = this.#options.clock.now();
    this.#tick();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  /** New settings take effect from the next sample. */
  configure(settings: SensorSettings): void {
    const restart = this.#timer !== undefined && settings.samplePeriod !== this.#settings.samplePeriod;
    this.#settings = { samplePeriod: settings.samplePeriod, reportPeriod: settings.reportPeriod, deadband: settings.deadband };
    if (restart) {
      this.stop();
      this.#due = this.#options.clock.now();
      this.#schedule();
    }
  }

  /** Samples once and reports if the value moved past the deadband or the report period ran out. */
  sample(): void {
    const { port, clock, listener } = this.#options;
    const value = port.sample();
    if (value === undefined || !Number.isFinite(value)) {
      this.misses++;
      return;
    }
    const now = clock.now();
    const moved = this.#last === undefined || Math.abs(value - this.#last) > this.#settings.deadband;
    if (!moved && now - this.#lastAt < this.#settings.reportPeriod) return;
    this.#last = value;
    this.#lastAt = now;
    listener.onReading({ value, unit: port.unit, ts: clock.epoch() });
  }

  #tick(): void {
    this.#timer = undefined;
    this.sample();
    this.#schedule();
  }

  #schedule(): void {
    const { clock, timers } = this.#options;
    const now = clock.now();
    this.#due += this.#settings.samplePeriod;
    // After a long stall, start counting again from now rather than firing a burst of catch-up samples.
    if (this.#due <= now) this.#due = now + this.#settings.samplePeriod;
    // A closure per sample rather than one kept for good: on XS a kept closure costs ~200 bytes of heap.
    this.#timer = timers.set(() => this.#tick(), this.#due - now);
  }
}
