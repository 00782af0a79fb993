import { Lamp } from "../../src/device/lamp.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { RecordingPin } from "./pins.js";

describe("Lamp", () => {
  test("drives the pin to the initial state at construction", () => {
    const pin = new RecordingPin(new VirtualClock());
    const lamp = new Lamp(pin, true);
    expect(lamp.on).toBe(true);
    expect(pin.level).toBe(1);
  });

  test("set reports whether the state changed and writes only on change", () => {
    const pin = new RecordingPin(new VirtualClock());
    const lamp = new Lamp(pin, false);
    expect(lamp.set(true)).toBe(true);
    expect(lamp.set(true)).toBe(false);
    expect(pin.writes.map((w) => w.value)).toEqual([0, 1]);
  });

  test("toggle flips the state", () => {
    const pin = new RecordingPin(new VirtualClock());
    const lamp = new Lamp(pin, false);
    lamp.toggle();
    lamp.toggle();
    lamp.toggle();
    expect(lamp.on).toBe(true);
    expect(pin.writes.map((w) => w.value)).toEqual([0, 1, 0, 1]);
  });
});
