// The simulator's stdin commands that drive the device's inputs, on either engine: both run the
// pins of a Node host (the XS engine's board opens them for the firmware in XS).
import type { Timers } from "../src/host.js";
import type { VirtualPins } from "../hosts/node/pins.js";
import type { Command } from "./commands.js";

/** Carries out an input or press command; returns a sentence when it cannot. */
export function driveInput(pins: VirtualPins, timers: Timers, command: Extract<Command, { type: "input" | "press" }>): string | undefined {
  const pin = pins.get(command.name);
  const inputs = pins.all().filter((p) => p.kind !== "output").map((p) => p.name);
  if (!pin || pin.kind === "output") return `no input named "${command.name}"; the device's inputs: ${inputs.join(", ") || "none"}`;
  if (command.type === "input") {
    if (pin.kind === "analog") pin.set(command.value ?? undefined);
    else if (command.value === null) return `"${command.name}" is a digital input: give it 0 or 1`;
    else pin.set(command.value);
    return undefined;
  }
  if (pin.kind === "analog") return `"${command.name}" is an analog input: press takes a digital one`;
  pin.set(1 - pin.resting);
  timers.set(() => pin.set(pin.resting), command.ms);
  return undefined;
}
