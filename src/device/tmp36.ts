// A TMP36 temperature sensor on an analog input: 500 mV at 0 °C and 10 mV per °C, so
// °C = (mV - 500) / 10, in tenths of a degree: finer than an ADC can tell, coarse enough to hide its noise.
import type { AnalogInput } from "../host.js";
import type { SensorPort } from "./sensor.js";

export class Tmp36 implements SensorPort {
  readonly unit = "C";
  readonly #input: AnalogInput;

  constructor(input: AnalogInput) {
    this.#input = input;
  }

  sample(): number | undefined {
    const millivolts = this.#input.read();
    return millivolts === undefined || !Number.isFinite(millivolts) ? undefined : Math.round(millivolts - 500) / 10;
  }
}

/** The millivolts a TMP36 gives at `celsius` (for simulators and tests that set its input). */
export function tmp36Millivolts(celsius: number): number {
  return 500 + 10 * celsius;
}
