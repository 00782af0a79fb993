// The option bags of the parts that differ per platform. The manifest maps each module name
// (moddable/pins, moddable/sensor, moddable/network) to board/ on ESP32 and ESP8266 and to sim/
// on the desktop simulators; both variants take these options, so main sees one shape.

export type Log = (line: string) => void;

export interface OutputOptions {
  /** The device it drives ("lamp", "bell"): names the pin in traces. */
  name: string;
  /** GPIO number. */
  pin: number;
  log: Log;
}

export interface SensorOptions {
  /** GPIO number of the ADC input. */
  pin: number;
  /** Millivolts at the ADC's full-scale reading (board-specific; see docs/moddable.md). */
  fullScaleMillivolts: number;
  /** Monotonic ms, for the simulated sensor's model. */
  now(): number;
}

export interface NetworkOptions {
  ssid: string;
  password: string;
  /** SNTP server asked once the link is up, so readings carry wall-clock time. Empty: none. */
  sntp: string;
  log: Log;
}
