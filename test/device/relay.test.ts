import { Relay } from "../../src/device/relay.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { RecordingPin } from "./pins.js";

function relay(options: { activeLow?: boolean; autoOff?: number } = {}, initial = false) {
  const clock = new VirtualClock();
  const pin = new RecordingPin(clock);
  const heard: number[] = [];
  const listener = { onAutoOff: () => heard.push(clock.now()) };
  const r = new Relay({ pin, timers: clock, activeLow: options.activeLow ?? false, autoOff: options.autoOff ?? 0, listener }, initial);
  return { clock, pin, heard, relay: r };
}

describe("Relay", () => {
  test("drives its pin at once, high for on; an active-low module gets the inverse", () => {
    const high = relay();
    high.relay.set(true);
    high.relay.set(false);
    expect(high.pin.timeline()).toEqual([[0, 0], [0, 1], [0, 0]]);
    const low = relay({ activeLow: true });
    expect(low.pin.level).toBe(1);
    expect(low.relay.set(true)).toBe(true);
    expect(low.relay.set(true)).toBe(false);
    expect(low.pin.timeline()).toEqual([[0, 1], [0, 0]]);
  });

  test("with autoOff, an on relay switches itself off after that time, and every on starts it again", () => {
    const { clock, pin, heard, relay: r } = relay({ autoOff: 1000 });
    r.set(true);
    clock.advance(600);
    r.set(true);
    clock.advance(999);
    expect(r.on).toBe(true);
    clock.advance(1);
    expect(r.on).toBe(false);
    expect(heard).toEqual([1600]);
    expect(pin.timeline()).toEqual([[0, 0], [0, 1], [1600, 0]]);
    expect(clock.pending()).toBe(0);
  });

  test("switched off by command, or stopped, no auto-off is left; restored on, it gets its full time", () => {
    const off = relay({ autoOff: 1000 });
    off.relay.set(true);
    off.relay.set(false);
    expect(off.clock.pending()).toBe(0);
    const restored = relay({ autoOff: 1000 }, true);
    expect(restored.pin.level).toBe(1);
    restored.clock.advance(1000);
    expect(restored.heard).toEqual([1000]);
    const stopped = relay({ autoOff: 1000 }, true);
    stopped.relay.stop();
    expect(stopped.clock.pending()).toBe(0);
    expect(stopped.pin.level).toBe(1);
  });
});
