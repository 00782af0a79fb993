// Pins for unit tests: outputs that record each write with the virtual time it happened at, inputs
// a test drives, analog inputs that hold what a test sets. A pin can be taken by name before the
// device opens it, so a test can hold the lamp before the lamp exists.
import type { AnalogInput, Clock, DigitalInput, DigitalOutput, InputOptions, Pins } from "../../src/host.js";

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

export class TestInput implements DigitalInput {
  value: number;
  readonly options: InputOptions;
  constructor(options: InputOptions) {
    this.options = options;
    this.value = options.pull === "up" ? 1 : 0;
  }
  read(): number {
    return this.value;
  }
  /** Drives the level; an edge reaches the device at once. */
  set(value: number): void {
    if (value === this.value) return;
    this.value = value;
    this.options.onChange(value);
  }
}

export class TestAnalog implements AnalogInput {
  /** Millivolts, or undefined: unreadable. */
  value: number | undefined = 715;
  read(): number | undefined {
    return this.value;
  }
}

export class RecordingPins implements Pins {
  readonly opened: { kind: "output" | "input" | "analog"; name: string; pin: number }[] = [];
  readonly #clock: Clock;
  readonly #outputs = new Map<string, RecordingPin>();
  readonly #inputs = new Map<string, TestInput>();
  readonly #analogs = new Map<string, TestAnalog>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  output(name: string, pin: number): RecordingPin {
    this.opened.push({ kind: "output", name, pin });
    return this.recording(name);
  }

  input(name: string, pin: number, options: InputOptions): TestInput {
    this.opened.push({ kind: "input", name, pin });
    const input = new TestInput(options);
    this.#inputs.set(name, input);
    return input;
  }

  analog(name: string, pin: number): TestAnalog {
    this.opened.push({ kind: "analog", name, pin });
    return this.analogNamed(name);
  }

  /** The output named `name`, opened or not yet. */
  recording(name: string): RecordingPin {
    let pin = this.#outputs.get(name);
    if (!pin) this.#outputs.set(name, (pin = new RecordingPin(this.#clock)));
    return pin;
  }

  /** The analog input named `name`, opened or not yet. */
  analogNamed(name: string): TestAnalog {
    let input = this.#analogs.get(name);
    if (!input) this.#analogs.set(name, (input = new TestAnalog()));
    return input;
  }

  /** The input the device opened under `name`. */
  inputNamed(name: string): TestInput {
    const input = this.#inputs.get(name);
    if (!input) throw new Error(`no input ${name} was opened`);
    return input;
  }
}
