import { relay } from "../../src/entities/relay.js";
import { device } from "../../src/entities/entity.js";
import { MemoryStore } from "../support/memory-store.js";
import { setup } from "./fakes.js";

const COMMAND = "home/office/relay";
const STATE = "home/office/relay/state";

function relaySetup(raw: Record<string, unknown> = {}, store = new MemoryStore()) {
  const s = setup(raw, store);
  const entity = relay.create(s.context, device(relay, "relay"));
  return { ...s, entity, pin: s.pins.recording("relay") };
}

describe("relay entity", () => {
  test("on, off, toggle and JSON switch it; the state follows each, retained", () => {
    const { link, pin } = relaySetup();
    for (const word of ["on", "toggle", '{"state":"TOGGLE"}', '{"state":"off"}']) link.deliver(COMMAND, word);
    expect(pin.timeline().map(([, v]) => v)).toEqual([0, 1, 0, 1, 0]);
    expect(link.on(STATE).map((p) => p.text)).toEqual(["on", "off", "on", "off"]);
    expect(link.on(STATE)[0].options).toMatchObject({ qos: 0, retain: true });
  });

  test("opens its pin under its name with relayPin; relayActiveLow inverts the level", () => {
    const { pins, link, pin } = relaySetup({ relayPin: 5, relayActiveLow: true });
    expect(pins.opened).toContainEqual({ kind: "output", name: "relay", pin: 5 });
    link.deliver(COMMAND, "on");
    expect(pin.timeline()).toEqual([[0, 1], [0, 0]]);
  });

  test("relayAutoOff switches it off after that many seconds and says so on the state topic", () => {
    const { link, clock, pin } = relaySetup({ relayAutoOff: 30 });
    link.deliver(COMMAND, "on");
    clock.advance(29_999);
    expect(pin.level).toBe(1);
    clock.advance(1);
    expect(pin.level).toBe(0);
    expect(link.on(STATE).map((p) => p.text)).toEqual(["on", "off"]);
  });

  test("the state is stored and restored at boot; a retained command is ignored unless relayRetained", () => {
    const store = new MemoryStore();
    relaySetup({}, store).link.deliver(COMMAND, "on");
    const second = relaySetup({}, store);
    expect(second.pin.level).toBe(1);
    second.link.deliver(COMMAND, "off", { retain: true });
    expect(second.pin.level).toBe(1);
    const honouring = relaySetup({ relayRetained: true }, store);
    honouring.link.deliver(COMMAND, "off", { retain: true });
    expect(honouring.pin.level).toBe(0);
  });

  test("a bad command is refused with a reason and switches nothing", () => {
    const { link, pin } = relaySetup();
    link.deliver(COMMAND, "flip");
    expect(link.errors()).toEqual([{ topic: COMMAND, input: "flip", reason: "expected on, off, toggle or a JSON object." }]);
    expect(pin.timeline()).toEqual([[0, 0]]);
  });

  test("discovery describes a switch on its command and state topics; stop leaves no timer", () => {
    const { entity, link, clock } = relaySetup({ relayAutoOff: 5 });
    expect(entity.discovery?.()).toEqual([{ component: "switch", objectId: "relay", config: { name: "Relay", cmd_t: COMMAND, stat_t: STATE, pl_on: "on", pl_off: "off" } }]);
    link.deliver(COMMAND, "on");
    entity.stop();
    expect(clock.pending()).toBe(0);
  });
});
