import { VirtualClock } from "../support/virtual-clock.js";

describe("VirtualClock", () => {
  test("fires due timers in time order, with now() at each timer's due time", () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.set(() => seen.push(`b@${clock.now()}`), 20);
    clock.set(() => seen.push(`a@${clock.now()}`), 10);
    clock.set(() => seen.push(`c@${clock.now()}`), 30);
    clock.advance(25);
    expect(seen).toEqual(["a@10", "b@20"]);
    expect(clock.now()).toBe(25);
    expect(clock.pending()).toBe(1);
    clock.advance(5);
    expect(seen).toEqual(["a@10", "b@20", "c@30"]);
    expect(clock.pending()).toBe(0);
  });

  test("timers with the same deadline fire in the order they were set", () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) clock.set(() => seen.push(i), 7);
    clock.advance(7);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  test("timers set by callbacks during advance fire when they fall inside the window", () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(clock.now());
      clock.set(tick, 100);
    };
    clock.set(tick, 100);
    clock.advance(350);
    expect(seen).toEqual([100, 200, 300]);
    expect(clock.nextDue()).toBe(400);
    const zero: number[] = [];
    clock.set(() => clock.set(() => zero.push(clock.now()), 0), 10);
    clock.advance(10);
    expect(zero).toEqual([360]);
  });

  test("a cleared timer never fires, and clearing an unknown handle is harmless", () => {
    const clock = new VirtualClock();
    let fired = false;
    const handle = clock.set(() => (fired = true), 5);
    clock.clear(handle);
    clock.clear(handle);
    clock.clear(undefined);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  test("a callback can clear a later timer due in the same advance", () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    let later: unknown;
    clock.set(() => clock.clear(later), 1);
    later = clock.set(() => seen.push("later"), 2);
    clock.advance(5);
    expect(seen).toEqual([]);
  });

  test("epoch() is undefined until set, then advances with now()", () => {
    const clock = new VirtualClock({ now: 1000 });
    expect(clock.epoch()).toBeUndefined();
    clock.setEpoch(1_700_000_000_000);
    clock.advance(250);
    expect(clock.epoch()).toBe(1_700_000_000_250);
    expect(new VirtualClock({ epoch: 5000 }).epoch()).toBe(5000);
    clock.setEpoch(undefined);
    expect(clock.epoch()).toBeUndefined();
  });

  test("runAll fires chains of timers up to a limit and reports the time moved", () => {
    const clock = new VirtualClock();
    let count = 0;
    const again = (): void => {
      if (++count < 4) clock.set(again, 50);
    };
    clock.set(again, 50);
    expect(clock.runAll()).toBe(200);
    expect(count).toBe(4);
    const forever = (): void => void clock.set(forever, 1000);
    clock.set(forever, 1000);
    expect(clock.runAll(10_000)).toBe(10_000);
  });

  test("a timer that re-arms itself with 0 ms is reported instead of hanging", () => {
    const clock = new VirtualClock();
    const spin = (): void => void clock.set(spin, 0);
    clock.set(spin, 0);
    expect(() => clock.advance(1)).toThrow(/re-arm itself with 0 ms/);
  });

  test("advance refuses a negative or NaN duration", () => {
    const clock = new VirtualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });
});
