// The board's pins on ECMA-419 IO: digital outputs and inputs (`embedded:io/digital`, an input
// with the pull it asks for and an interrupt on both edges) and analog inputs (`embedded:io/analog`)
// scaled to millivolts by the board's full-scale voltage. Nothing is written at open: each device
// drives its output to its own idle level at once (an active-low relay idles high).
import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import type { AnalogInput, DigitalInput, DigitalOutput, InputOptions, Pins } from "../../../src/host.js";
import type { PinsOptions } from "../parts.js";

/** The input's edge handler: one function in flash for every input; its options ride in `target`. */
function onReadable(this: Digital): void {
  (this as Digital & { target: InputOptions }).target.onChange(this.read());
}

class BoardAnalog implements AnalogInput {
  readonly #adc: Analog;
  readonly #scale: number;

  constructor(pin: number, fullScaleMillivolts: number) {
    this.#adc = new Analog({ pin });
    this.#scale = fullScaleMillivolts / (2 ** this.#adc.resolution - 1);
  }

  read(): number | undefined {
    try {
      return this.#adc.read() * this.#scale;
    } catch {
      return undefined;
    }
  }
}

export default function openPins(options: PinsOptions): Pins {
  return {
    output(_name: string, pin: number): DigitalOutput {
      return new Digital({ pin, mode: Digital.Output });
    },
    input(_name: string, pin: number, input: InputOptions): DigitalInput {
      const mode = input.pull === "up" ? Digital.InputPullUp : input.pull === "down" ? Digital.InputPullDown : Digital.Input;
      return new Digital({ pin, mode, edge: Digital.Rising | Digital.Falling, target: input, onReadable });
    },
    analog(_name: string, pin: number): AnalogInput {
      return new BoardAnalog(pin, options.adcMillivolts);
    },
  };
}
