// A digital output on a board GPIO (ECMA-419 embedded:io/digital), driven low at open so a
// reboot never leaves the lamp or bell in whatever state the pin floated to.
import Digital from "embedded:io/digital";
import type { DigitalOutput } from "../../../src/host.js";
import type { OutputOptions } from "../parts.js";

export default function openOutput(options: OutputOptions): DigitalOutput {
  const io = new Digital({ pin: options.pin, mode: Digital.Output });
  io.write(0);
  return {
    write(value: number): void {
      io.write(value ? 1 : 0);
    },
  };
}
