// Pins for the Moddable desktop simulator, which has no GPIO: outputs keep their level and trace
// each change ("pin lamp (GPIO 2) = 1" in the simulator's log), inputs rest at their pull's level,
// and an analog input gives 710 mV (a TMP36 at 21 °C) with a slow ±15 mV swing over ten minutes,
// so readings move enough to cross a deadband now and then.
import type { AnalogInput, DigitalInput, DigitalOutput, InputOptions, Pins } from "../../../src/host.js";
import type { PinsOptions } from "../parts.js";

const SWING_PERIOD_MS = 600_000;

class TracedOutput implements DigitalOutput {
  readonly #name: string;
  readonly #pin: number;
  readonly #log: (line: string) => void;
  #level = -1;

  constructor(name: string, pin: number, log: (line: string) => void) {
    this.#name = name;
    this.#pin = pin;
    this.#log = log;
  }

  write(value: number): void {
    const next = value ? 1 : 0;
    if (next === this.#level) return;
    this.#level = next;
    this.#log(`pin ${this.#name} (GPIO ${this.#pin}) = ${next}`);
  }
}

export default function openPins(options: PinsOptions): Pins {
  return {
    output(name: string, pin: number): DigitalOutput {
      return new TracedOutput(name, pin, options.log);
    },
    input(_name: string, _pin: number, input: InputOptions): DigitalInput {
      const resting = input.pull === "up" ? 1 : 0;
      return { read: () => resting };
    },
    analog(): AnalogInput {
      return { read: () => Math.round((710 + 15 * Math.sin((2 * Math.PI * options.now()) / SWING_PERIOD_MS)) * 10) / 10 };
    },
  };
}
