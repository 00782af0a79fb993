import { VirtualAnalog, VirtualInput, VirtualPin, VirtualPins, type AnyPin, type PinChange } from "../../hosts/node/pins.js";
import { VirtualClock } from "../support/virtual-clock.js";

describe("VirtualPin", () => {
  test("records level changes with the clock's time, ignoring writes that keep the level", () => {
    const clock = new VirtualClock();
    const pin = new VirtualPin("bell", clock);
    pin.write(1);
    clock.advance(200);
    pin.write(1);
    pin.write(0);
    clock.advance(100);
    pin.write(5);
    expect(pin.history).toEqual([
      { t: 0, value: 1 },
      { t: 200, value: 0 },
      { t: 300, value: 1 },
    ]);
    expect(pin.value).toBe(1);
    expect(pin.writes).toBe(4);
  });

  test("tells listeners of each change until they stop listening", () => {
    const clock = new VirtualClock();
    const pin = new VirtualPin("lamp", clock);
    const seen: Array<[string, PinChange]> = [];
    const stop = pin.onChange((change, p) => seen.push([p.name, change]));
    pin.write(1);
    pin.write(1);
    stop();
    pin.write(0);
    expect(seen).toEqual([["lamp", { t: 0, value: 1 }]]);
  });

  test("keeps a bounded history, dropping the oldest changes", () => {
    const pin = new VirtualPin("lamp", new VirtualClock(), { limit: 3 });
    for (let i = 0; i < 10; i++) pin.write(i % 2 === 0 ? 1 : 0);
    expect(pin.history.map((change) => change.value)).toEqual([0, 1, 0]);
  });
});

describe("VirtualInput", () => {
  test("rests at its pull's level; each level it is driven to reaches the device and the watchers once", () => {
    const heard: number[] = [];
    const watched: number[] = [];
    const up = new VirtualInput("button", 27, { pull: "up", onChange: (value) => heard.push(value) });
    up.watch((value) => watched.push(value));
    expect(up.resting).toBe(1);
    expect(up.read()).toBe(1);
    up.set(0);
    up.set(0);
    up.set(1);
    expect(heard).toEqual([0, 1]);
    expect(watched).toEqual([0, 1]);
    expect(new VirtualInput("motion", 4, { onChange: () => undefined }).read()).toBe(0);
  });

  test("calls onChange as a method of its options", () => {
    const options = {
      seen: [] as number[],
      onChange(value: number) {
        this.seen.push(value);
      },
    };
    new VirtualInput("button", 27, options).set(1);
    expect(options.seen).toEqual([1]);
  });
});

describe("VirtualAnalog", () => {
  const readings = (seed: number): number[] => {
    const clock = new VirtualClock();
    const input = new VirtualAnalog("sensor", 34, clock, { seed });
    const values: number[] = [];
    for (let i = 0; i < 120; i++) {
      values.push(input.read() as number);
      clock.advance(30_000);
    }
    return values;
  };

  test("drifts slowly around 710 mV with small noise, the same way for the same seed", () => {
    const values = readings(7);
    expect(readings(7)).toEqual(values);
    expect(readings(8)).not.toEqual(values);
    for (const value of values) expect(Math.abs(value - 710)).toBeLessThan(22);
    for (let i = 1; i < values.length; i++) expect(Math.abs(values[i] - values[i - 1])).toBeLessThan(6);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(5);
    for (const value of values) expect(Math.round(value * 10) / 10).toBe(value);
  });

  test("a set value holds until cleared; a failing input reads undefined; each reading is heard", () => {
    const input = new VirtualAnalog("sensor", 34, new VirtualClock());
    const heard: (number | undefined)[] = [];
    input.onRead = (value) => heard.push(value);
    input.set(805);
    expect(input.read()).toBe(805);
    input.fail(true);
    expect(input.read()).toBeUndefined();
    input.fail(false);
    input.set(undefined);
    expect(input.read()).not.toBe(805);
    expect(heard.slice(0, 2)).toEqual([805, undefined]);
  });
});

describe("VirtualPins", () => {
  test("opens pins by kind under the names the app gives, tells listeners of each, and finds them by name", () => {
    const pins = new VirtualPins(new VirtualClock());
    const opened: string[] = [];
    const stop = pins.onOpen((pin: AnyPin) => opened.push(`${pin.kind} ${pin.name} ${pin.pin}`));
    const lamp = pins.output("lamp", 2);
    pins.input("button", 27, { pull: "up", onChange: () => undefined });
    stop();
    pins.analog("sensor", 34);
    expect(opened).toEqual(["output lamp 2", "input button 27"]);
    expect(pins.get("lamp")).toBe(lamp);
    expect(pins.get("bell")).toBeUndefined();
    expect(pins.all().map((pin) => pin.name)).toEqual(["lamp", "button", "sensor"]);
  });
});
