// A digital output that records each write with the virtual time it happened at.
import type { Clock, DigitalOutput } from "../../src/host.js";

export class RecordingPin implements DigitalOutput {
  readonly writes: { t: number; value: number }[] = [];
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }
  write(value: number): void {
    this.writes.push({ t: this.#clock.now(), value });
  }
  /** Level changes only, as [t, value] pairs. */
  timeline(): [number, number][] {
    const out: [number, number][] = [];
    let level: number | undefined;
    for (const { t, value } of this.writes) if (value !== level) out.push([t, (level = value)]);
    return out;
  }
  get level(): number | undefined {
    return this.writes.at(-1)?.value;
  }
}
