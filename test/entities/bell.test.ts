import { bell, DEFAULT_RING } from "../../src/entities/bell.js";
import { device, type EntityContext } from "../../src/entities/entity.js";
import { EPOCH, setup } from "./fakes.js";

const createBell = (context: EntityContext) => bell.create(context, device(bell, "bell"));
const COMMAND = "home/office/bell";
const EVENT = "home/office/bell/event";

describe("bell entity", () => {
  test("ring plays the default pattern on the pin and publishes a completion event", () => {
    const { link, bell, clock, context } = setup();
    createBell(context);
    link.deliver(COMMAND, "ring");
    clock.advance(1000);
    expect(bell.timeline()).toEqual([[0, 0], [0, 1], [200, 0], [300, 1], [500, 0]]);
    expect(link.on(EVENT).map((p) => JSON.parse(p.text))).toEqual([{ event: "rung", pattern: DEFAULT_RING, ts: EPOCH + 500 }]);
  });

  test("a JSON pattern gives the exact timeline", () => {
    const { link, bell, clock, context } = setup();
    createBell(context);
    clock.advance(10);
    link.deliver(COMMAND, '{"pattern":[30,20,10,40,5]}');
    clock.advance(1000);
    expect(bell.timeline()).toEqual([[0, 0], [10, 1], [40, 0], [60, 1], [70, 0], [110, 1], [115, 0]]);
  });

  test("a retained ring is never played", () => {
    const { link, bell, clock, context } = setup();
    createBell(context);
    link.deliver(COMMAND, "ring", { retain: true });
    clock.advance(1000);
    expect(bell.timeline()).toEqual([[0, 0]]);
    expect(link.errors()[0].reason).toBe("retained command ignored: a ring must be fresh.");
  });

  test("a stale ring is refused", () => {
    const { link, bell, clock, context } = setup();
    createBell(context);
    clock.advance(120_000);
    link.deliver(COMMAND, `{"pattern":[100],"ts":${EPOCH}}`);
    clock.advance(1000);
    expect(bell.timeline()).toEqual([[0, 0]]);
    expect(link.errors()[0].reason).toMatch(/^stale: sent 120 s ago/);
  });

  test.each([
    ["garbage", "ding", 'expected ring or {"pattern":[on,off,...]} in ms.'],
    ["strings in the pattern", '{"pattern":["200"]}', 'expected ring or {"pattern":[on,off,...]} in ms.'],
    ["a pattern that is not an array", '{"pattern":200}', 'expected ring or {"pattern":[on,off,...]} in ms.'],
    ["negative steps", '{"pattern":[100,-5]}', "pattern steps must be whole milliseconds of at least 1."],
    ["too long", '{"pattern":[6000,1000,6000]}', "pattern lasts 13000 ms; at most 10000 ms."],
  ])("%s is refused with a reason", (_name, input, reason) => {
    const { link, bell, clock, context } = setup();
    createBell(context);
    link.deliver(COMMAND, input);
    clock.advance(20_000);
    expect(bell.timeline()).toEqual([[0, 0]]);
    expect(link.errors()).toEqual([{ topic: COMMAND, input, reason }]);
  });

  test("busy and rate-limited rings are refused with the rule in the reason", () => {
    const { link, clock, context } = setup({ bellMaxRate: 3 });
    createBell(context);
    link.deliver(COMMAND, "ring");
    link.deliver(COMMAND, "ring");
    link.deliver(COMMAND, "ring");
    clock.advance(5000);
    link.deliver(COMMAND, "ring");
    link.deliver(COMMAND, "ring");
    expect(link.errors().map((e) => e.reason)).toEqual([
      "busy: a ring is playing and another is queued.",
      "rate limit: at most 3 rings per minute.",
    ]);
    expect(link.on(EVENT)).toHaveLength(2);
  });

  test("live limits apply to the next ring; stop silences the bell", () => {
    const { link, bell, clock, context } = setup();
    const entity = createBell(context);
    entity.configure?.({ ...context.config, bellMaxDuration: 100 });
    link.deliver(COMMAND, "ring");
    expect(link.errors()[0].reason).toBe("pattern lasts 500 ms; at most 100 ms.");
    entity.configure?.({ ...context.config, bellMaxDuration: 1000 });
    link.deliver(COMMAND, "ring");
    entity.stop();
    expect(bell.level).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(link.handlers.has(COMMAND)).toBe(false);
  });
});
