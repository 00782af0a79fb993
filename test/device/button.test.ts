import { Button, type ButtonEvent } from "../../src/device/button.js";
import { VirtualClock } from "../support/virtual-clock.js";

/** A button to ground (pressed reads 0), debounce 30, long 800, double 300, fed edges at given times. */
function button(options: { activeLow?: boolean; double?: number } = {}) {
  const clock = new VirtualClock();
  const events: [number, ButtonEvent][] = [];
  const b = new Button({
    clock,
    timers: clock,
    activeLow: options.activeLow ?? true,
    debounce: 30,
    long: 800,
    double: options.double ?? 300,
    listener: { onButton: (event) => events.push([clock.now(), event]) },
  });
  b.start(options.activeLow === false ? 0 : 1);
  /** Steps: a level (edge now) or a number of ms to let pass. */
  const play = (...steps: Array<0 | 1 | number>) => {
    for (let i = 0; i < steps.length; i += 2) {
      b.onChange(steps[i]);
      if (steps[i + 1] !== undefined) clock.advance(steps[i + 1]);
    }
  };
  return { clock, events, button: b, play };
}

describe("Button", () => {
  test("a press is said once the double-press window has passed without a second", () => {
    const { events, play, clock } = button();
    play(0, 100, 1, 1000);
    // Released at 100, settled at 130, no second press by 430.
    expect(events).toEqual([[430, "press"]]);
    expect(clock.pending()).toBe(0);
  });

  test("held past `long` it is a long press, said while still held, and the release says nothing more", () => {
    const { events, play } = button();
    play(0, 1000, 1, 1000);
    expect(events).toEqual([[830, "long"]]);
  });

  test("two presses within the window are one double press, said at the second release", () => {
    const { events, play } = button();
    play(0, 80, 1, 100, 0, 80, 1, 1000);
    expect(events).toEqual([[290, "double"]]);
  });

  test("bounce is not a press: edges closer than the debounce that end where they began say nothing", () => {
    const { events, play, clock } = button();
    play(0, 5, 1, 5, 0, 5, 1, 1000);
    expect(events).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  test("a bouncing press and release still count as one press", () => {
    const { events, play } = button();
    play(0, 3, 1, 3, 0, 150, 1, 4, 0, 4, 1, 1000);
    expect(events.map(([, e]) => e)).toEqual(["press"]);
  });

  test("with double 0 a press is said at release; active high buttons read 1 when pressed", () => {
    const quick = button({ double: 0 });
    quick.play(0, 100, 1, 100);
    expect(quick.events).toEqual([[130, "press"]]);
    const high = button({ activeLow: false });
    expect(high.button.pull).toBeUndefined();
    high.play(1, 100, 0, 1000);
    expect(high.events).toEqual([[430, "press"]]);
  });

  test("asks for the pull-up when active low; stop clears its one timer", () => {
    const { button: b, clock } = button();
    expect(b.pull).toBe("up");
    b.onChange(0);
    expect(clock.pending()).toBe(1);
    b.stop();
    expect(clock.pending()).toBe(0);
  });
});
