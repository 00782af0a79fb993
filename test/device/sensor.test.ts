import { SensorReader, type Reading } from "../../src/device/sensor.js";
import { VirtualClock } from "../support/virtual-clock.js";

function setup(settings = { samplePeriod: 1000, reportPeriod: 10_000, deadband: 0.5 }) {
  const clock = new VirtualClock({ now: 0, epoch: 1_700_000_000_000 });
  const port = { unit: "C", value: 20 as number | undefined, sample() { return this.value; } };
  const readings: Reading[] = [];
  const reader = new SensorReader({ port, clock, timers: clock, ...settings, listener: { onReading: (r) => readings.push(r) } });
  return { clock, port, reader, readings };
}

describe("SensorReader", () => {
  test("reports a first reading at start, with unit and the wall-clock time of the sample", () => {
    const { reader, readings } = setup();
    reader.start();
    expect(readings).toEqual([{ value: 20, unit: "C", ts: 1_700_000_000_000 }]);
  });

  test("a move of more than the deadband is reported at the next sample; smaller moves are not", () => {
    const { clock, port, reader, readings } = setup();
    reader.start();
    port.value = 20.5; // exactly the deadband: not past it
    clock.advance(1000);
    port.value = 20.6;
    clock.advance(1000);
    port.value = 20.2;
    clock.advance(1000);
    port.value = 19.9;
    clock.advance(1000);
    expect(readings.map((r) => [r.ts! - 1_700_000_000_000, r.value])).toEqual([[0, 20], [2000, 20.6], [4000, 19.9]]);
  });

  test("an unchanged value is reported once per report period", () => {
    const { clock, reader, readings } = setup();
    reader.start();
    clock.advance(35_000);
    expect(readings.map((r) => r.ts! - 1_700_000_000_000)).toEqual([0, 10_000, 20_000, 30_000]);
  });

  test("samples the port could not give are counted and skipped", () => {
    const { clock, port, reader, readings } = setup();
    port.value = undefined;
    reader.start();
    clock.advance(2000);
    expect(readings).toEqual([]);
    expect(reader.misses).toBe(3);
  });

  test("the timestamp is undefined while the host has no wall-clock time", () => {
    const { clock, reader, readings } = setup();
    clock.setEpoch(undefined);
    reader.start();
    expect(readings[0].ts).toBeUndefined();
  });

  test("configure changes the period and deadband; stop cancels the timer", () => {
    const { clock, port, reader, readings } = setup();
    reader.start();
    reader.configure({ samplePeriod: 200, reportPeriod: 10_000, deadband: 2 });
    port.value = 21;
    clock.advance(200);
    port.value = 22.5;
    clock.advance(200);
    expect(readings.map((r) => r.value)).toEqual([20, 22.5]);
    reader.stop();
    expect(clock.pending()).toBe(0);
  });
});
