// A lamp: one digital output and its on/off state. It knows nothing of MQTT or storage.
import type { DigitalOutput } from "../host.js";

export class Lamp {
  #pin: DigitalOutput;
  #on: boolean;

  /** Drives the pin to `initial` at once, so the output matches the state from the first instant. */
  constructor(pin: DigitalOutput, initial: boolean) {
    this.#pin = pin;
    this.#on = initial;
    pin.write(initial ? 1 : 0);
  }

  get on(): boolean {
    return this.#on;
  }

  /** Returns true when the state changed. */
  set(on: boolean): boolean {
    if (on === this.#on) return false;
    this.#on = on;
    this.#pin.write(on ? 1 : 0);
    return true;
  }

  toggle(): void {
    this.set(!this.#on);
  }
}
