// A relay: one digital output (active high or low, as relay modules differ) and its on/off state,
// switched off again after autoOff ms when asked to. It knows nothing of MQTT or storage.
import type { DigitalOutput, TimerHandle, Timers } from "../host.js";

export interface RelayOptions {
  pin: DigitalOutput;
  timers: Timers;
  /** The module switches on when the pin is low. */
  activeLow: boolean;
  /** ms after which an on relay switches itself off; 0: never. */
  autoOff: number;
  /** Hears that the relay switched itself off (called as a method of `listener`). */
  listener: { onAutoOff(): void };
}

export class Relay {
  readonly #options: RelayOptions;
  #on = false;
  #timer: TimerHandle | undefined;

  /** Drives the pin to `initial` at once (an on relay gets its full autoOff again). */
  constructor(options: RelayOptions, initial: boolean) {
    this.#options = options;
    this.#on = !initial;
    this.set(initial);
  }

  get on(): boolean {
    return this.#on;
  }

  /** Returns true when the state changed. Every "on" starts the auto-off time again. */
  set(on: boolean): boolean {
    const { pin, timers, activeLow, autoOff } = this.#options;
    const changed = on !== this.#on;
    this.#on = on;
    if (changed) pin.write(on !== activeLow ? 1 : 0);
    this.stop();
    if (on && autoOff > 0) this.#timer = timers.set(() => this.#expire(), autoOff);
    return changed;
  }

  /** No timer left; the output stays as it is (the state is restored at the next boot). */
  stop(): void {
    if (this.#timer !== undefined) this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.set(false)) this.#options.listener.onAutoOff();
  }
}
