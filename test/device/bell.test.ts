import { Bell, checkPattern, MAX_STEPS } from "../../src/device/bell.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { RecordingPin } from "./pins.js";

function setup(limits = { maxDuration: 10_000, maxRate: 6 }) {
  const clock = new VirtualClock({ now: 1000 });
  const pin = new RecordingPin(clock);
  const done: { t: number; pattern: readonly number[] }[] = [];
  const bell = new Bell({ pin, clock, timers: clock, ...limits, listener: { onDone: (pattern) => done.push({ t: clock.now(), pattern }) } });
  return { clock, pin, bell, done };
}

describe("Bell", () => {
  test("plays a pattern with an exact pin timeline and reports completion at its end", () => {
    const { clock, pin, bell, done } = setup();
    expect(bell.ring([200, 100, 200])).toBeUndefined();
    expect(bell.ringing).toBe(true);
    clock.advance(10_000);
    expect(pin.timeline()).toEqual([[1000, 0], [1000, 1], [1200, 0], [1300, 1], [1500, 0]]);
    expect(done).toEqual([{ t: 1500, pattern: [200, 100, 200] }]);
    expect(bell.ringing).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  test("a pattern ending with an off step completes after that gap", () => {
    const { clock, pin, bell, done } = setup();
    bell.ring([50, 450]);
    clock.advance(1000);
    expect(pin.timeline()).toEqual([[1000, 0], [1000, 1], [1050, 0]]);
    expect(done[0].t).toBe(1500);
  });

  test("does not block: ring returns before any step has played", () => {
    const { clock, pin, bell } = setup();
    bell.ring([300]);
    expect(pin.level).toBe(1);
    expect(clock.pending()).toBe(1);
  });

  test("a ring arriving while ringing is queued one deep and plays right after; a third is refused", () => {
    const { clock, pin, bell, done } = setup();
    bell.ring([100]);
    clock.advance(50);
    expect(bell.ring([20, 10, 20])).toBeUndefined();
    expect(bell.queued).toBe(true);
    expect(bell.ring([100])).toBe("busy: a ring is playing and another is queued.");
    clock.advance(1000);
    expect(pin.timeline()).toEqual([[1000, 0], [1000, 1], [1100, 0], [1100, 1], [1120, 0], [1130, 1], [1150, 0]]);
    expect(done.map((d) => d.t)).toEqual([1100, 1150]);
  });

  test("at most maxRate rings are accepted in any 60 s window", () => {
    const { clock, bell } = setup({ maxDuration: 1000, maxRate: 2 });
    expect(bell.ring([10])).toBeUndefined();
    clock.advance(1000);
    expect(bell.ring([10])).toBeUndefined();
    clock.advance(1000);
    expect(bell.ring([10])).toBe("rate limit: at most 2 rings per minute.");
    clock.advance(58_000);
    expect(bell.ring([10])).toBeUndefined();
  });

  test("patterns longer than maxDuration, empty, too many steps or with bad steps are refused", () => {
    const { bell, pin } = setup({ maxDuration: 500, maxRate: 6 });
    expect(bell.ring([300, 100, 300])).toBe("pattern lasts 700 ms; at most 500 ms.");
    expect(bell.ring([])).toBe("pattern is empty.");
    expect(bell.ring(new Array(MAX_STEPS + 1).fill(1))).toBe(`pattern has ${MAX_STEPS + 1} steps; at most ${MAX_STEPS}.`);
    expect(bell.ring([10, 0])).toMatch(/whole milliseconds/);
    expect(bell.ring([1.5])).toMatch(/whole milliseconds/);
    expect(checkPattern([Number.NaN], 500)).toMatch(/whole milliseconds/);
    expect(pin.timeline()).toEqual([[1000, 0]]);
  });

  test("new limits apply to the next ring", () => {
    const { bell } = setup({ maxDuration: 500, maxRate: 6 });
    bell.setLimits({ maxDuration: 100, maxRate: 6 });
    expect(bell.ring([200])).toBe("pattern lasts 200 ms; at most 100 ms.");
  });

  test("stop silences the bell, cancels its timer and drops the queued ring", () => {
    const { clock, pin, bell, done } = setup();
    bell.ring([500]);
    bell.ring([500]);
    clock.advance(100);
    bell.stop();
    expect(pin.level).toBe(0);
    expect(clock.pending()).toBe(0);
    clock.advance(5000);
    expect(done).toEqual([]);
  });
});
