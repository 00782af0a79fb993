import { VirtualPin, type PinChange } from "../../hosts/node/pins.js";
import { SimulatedSensor } from "../../hosts/node/sensor.js";
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

describe("SimulatedSensor", () => {
  const readings = (seed: number): number[] => {
    const clock = new VirtualClock();
    const sensor = new SimulatedSensor({ clock, seed });
    const values: number[] = [];
    for (let i = 0; i < 120; i++) {
      values.push(sensor.sample() as number);
      clock.advance(30_000);
    }
    return values;
  };

  test("drifts slowly around its base with small noise, the same way for the same seed", () => {
    const values = readings(7);
    expect(readings(7)).toEqual(values);
    expect(readings(8)).not.toEqual(values);
    for (const value of values) expect(Math.abs(value - 21)).toBeLessThan(2.2);
    for (let i = 1; i < values.length; i++) expect(Math.abs(values[i] - values[i - 1])).toBeLessThan(0.6);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.5);
    for (const value of values) expect(Math.round(value * 100) / 100).toBe(value);
  });

  test("an override pins the value until cleared; a failing sensor reads undefined", () => {
    const sensor = new SimulatedSensor({ clock: new VirtualClock() });
    expect(sensor.unit).toBe("C");
    sensor.set(30.5);
    expect(sensor.sample()).toBe(30.5);
    sensor.fail(true);
    expect(sensor.sample()).toBeUndefined();
    sensor.fail(false);
    sensor.set(undefined);
    expect(sensor.sample()).not.toBe(30.5);
  });
});
