import { button } from "../../src/entities/button.js";
import { device } from "../../src/entities/entity.js";
import { ErrorCode } from "../../src/mqtt/errors.js";
import { setup } from "./fakes.js";

const TOPIC = "home/office/button";

function buttonSetup(raw: Record<string, unknown> = {}) {
  const s = setup(raw);
  const entity = button.create(s.context, device(button, "button"));
  return { ...s, entity, input: s.pins.inputNamed("button") };
}

describe("button entity", () => {
  test("opens its input with the pull-up and publishes each event at QoS 1, never retained", () => {
    const { pins, input, link, clock } = buttonSetup({ buttonPin: 13 });
    expect(pins.opened).toContainEqual({ kind: "input", name: "button", pin: 13 });
    expect(input.options.pull).toBe("up");
    input.set(0);
    clock.advance(100);
    input.set(1);
    clock.advance(400);
    input.set(0);
    clock.advance(1000);
    input.set(1);
    clock.advance(400);
    expect(link.on(TOPIC).map((p) => [p.text, p.options])).toEqual([
      ["press", { qos: 1 }],
      ["long", { qos: 1 }],
    ]);
  });

  test("its settings shape the timing: buttonLong, buttonDouble, buttonDebounce", () => {
    const { input, link, clock } = buttonSetup({ buttonLong: 200, buttonDouble: 0, buttonDebounce: 10 });
    input.set(0);
    clock.advance(150);
    input.set(1);
    clock.advance(20);
    input.set(0);
    clock.advance(250);
    input.set(1);
    clock.advance(20);
    expect(link.on(TOPIC).map((p) => p.text)).toEqual(["press", "long"]);
  });

  test("discovery gives one Home Assistant device trigger per event, subtype the button's name", () => {
    const { entity } = buttonSetup();
    expect(entity.discovery?.()).toEqual([
      { component: "device_automation", objectId: "button_press", config: { atype: "trigger", t: TOPIC, type: "button_short_press", stype: "button", pl: "press" } },
      { component: "device_automation", objectId: "button_long", config: { atype: "trigger", t: TOPIC, type: "button_long_press", stype: "button", pl: "long" } },
      { component: "device_automation", objectId: "button_double", config: { atype: "trigger", t: TOPIC, type: "button_double_press", stype: "button", pl: "double" } },
    ]);
  });

  test("a press the link cannot take is logged; stop leaves no timer", () => {
    const { input, link, clock, logs, entity } = buttonSetup();
    link.publish = () => ({ code: ErrorCode.OUTBOX_FULL, message: "the outbox is full" });
    input.set(0);
    clock.advance(100);
    input.set(1);
    clock.advance(400);
    expect(logs).toContain("button press not sent: the outbox is full");
    input.set(0);
    entity.stop();
    expect(clock.pending()).toBe(0);
  });
});
