// A TMP36 temperature sensor on an ADC input (ECMA-419 embedded:io/analog). The TMP36 outputs
// 500 mV at 0 °C and 10 mV per °C, so °C = (mV - 500) / 10; mV comes from the raw reading and
// the board's full-scale voltage, which depends on the ADC's attenuation or divider.
import Analog from "embedded:io/analog";
import type { SensorPort } from "../../../src/host.js";
import type { SensorOptions } from "../parts.js";

export default function openSensor(options: SensorOptions): SensorPort {
  const adc = new Analog({ pin: options.pin });
  const fullScale = 2 ** adc.resolution - 1;
  return {
    unit: "C",
    sample(): number | undefined {
      try {
        const millivolts = (adc.read() * options.fullScaleMillivolts) / fullScale;
        // Tenths of a degree: finer than the ADC can tell, coarse enough to hide its noise.
        return Math.round(millivolts - 500) / 10;
      } catch {
        return undefined;
      }
    },
  };
}
