// A simulated output for the Moddable desktop simulator, which has no GPIO: it keeps the level
// and traces each change, so a lamp command shows as a line in the simulator's log.
import type { DigitalOutput } from "../../../src/host.js";
import type { OutputOptions } from "../parts.js";

export default function openOutput(options: OutputOptions): DigitalOutput {
  let level = -1;
  return {
    write(value: number): void {
      const next = value ? 1 : 0;
      if (next === level) return;
      level = next;
      options.log(`pin ${options.name} (GPIO ${options.pin}) = ${next}`);
    },
  };
}
