// A simulated temperature for the desktop simulator: 21 °C with a slow ±1.5 °C swing over ten
// minutes, computed from the clock, so readings move enough to cross a deadband now and then.
import type { SensorPort } from "../../../src/host.js";
import type { SensorOptions } from "../parts.js";

const PERIOD_MS = 600_000;

export default function openSensor(options: SensorOptions): SensorPort {
  return {
    unit: "C",
    sample(): number {
      const swing = 1.5 * Math.sin((2 * Math.PI * options.now()) / PERIOD_MS);
      return Math.round((21 + swing) * 10) / 10;
    },
  };
}
