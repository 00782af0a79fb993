// The option bags of the parts that differ per platform. The manifest maps each module name
// (moddable/pins, moddable/network) to board/ on ESP32 and ESP8266 and to sim/ on the desktop
// simulators; both variants take these options, so main sees one shape.

export type Log = (line: string) => void;

export interface PinsOptions {
  /** Millivolts at the ADC's full-scale reading (board-specific; see docs/moddable.md). */
  adcMillivolts: number;
  /** Traces (the simulator's outputs). */
  log: Log;
  /** Monotonic ms (the simulator's analog model). */
  now(): number;
}

export interface NetworkOptions {
  ssid: string;
  password: string;
  /** SNTP server asked once the link is up, so readings carry wall-clock time. Empty: none. */
  sntp: string;
  log: Log;
}
