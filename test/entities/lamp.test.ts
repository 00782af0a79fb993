import { lamp } from "../../src/entities/lamp.js";
import { device, type EntityContext } from "../../src/entities/entity.js";
import { MAX_COMMAND_BYTES } from "../../src/entities/command.js";
import { MemoryStore } from "../support/memory-store.js";
import { EPOCH, setup } from "./fakes.js";

const createLamp = (context: EntityContext) => lamp.create(context, device(lamp, "lamp"));
const LAMP_KEY = "app.lamp";
const COMMAND = "home/office/lamp";
const STATE = "home/office/lamp/state";

describe("lamp entity", () => {
  test("on, off and toggle switch the pin and publish the state retained after each command", () => {
    const { link, lamp, context } = setup();
    createLamp(context);
    for (const word of ["on", "off", "toggle", "ON", " toggle\n"]) link.deliver(COMMAND, word);
    expect(lamp.timeline().map(([, v]) => v)).toEqual([0, 1, 0, 1, 0]);
    expect(link.on(STATE).map((p) => p.text)).toEqual(["on", "off", "on", "on", "off"]);
    expect(link.on(STATE)[0].options).toMatchObject({ qos: 0, retain: true, coalesce: true });
    expect(link.errors()).toEqual([]);
  });

  test('JSON {"state":"ON"|"OFF"} is accepted, any case', () => {
    const { link, lamp, context } = setup();
    createLamp(context);
    link.deliver(COMMAND, '{"state":"ON"}');
    expect(lamp.level).toBe(1);
    link.deliver(COMMAND, '{"state":"off"}');
    expect(lamp.level).toBe(0);
  });

  test("the state is republished on every connect", () => {
    const { link, context } = setup();
    const entity = createLamp(context);
    entity.connected?.();
    entity.connected?.();
    expect(link.on(STATE).map((p) => p.text)).toEqual(["off", "off"]);
  });

  test("the last state is stored and restored at boot", () => {
    const store = new MemoryStore();
    const first = setup({}, store);
    createLamp(first.context);
    first.link.deliver(COMMAND, "on");
    expect(store.read(LAMP_KEY)).toEqual(Uint8Array.of(1));
    const second = setup({}, store);
    createLamp(second.context);
    expect(second.lamp.level).toBe(1);
  });

  test("a failing store is logged and the lamp still switches", () => {
    const store = new MemoryStore();
    store.failWrites = true;
    const { link, lamp, logs, context } = setup({}, store);
    createLamp(context);
    link.deliver(COMMAND, "on");
    expect(lamp.level).toBe(1);
    expect(logs.join("\n")).toMatch(/could not store the lamp state/);
  });

  test.each([
    ["garbage", "blink", "expected on, off, toggle or a JSON object."],
    ["wrong JSON type", '{"state":1}', 'expected {"state":"ON"}, {"state":"OFF"} or {"state":"TOGGLE"}.'],
    ["missing state", '{"stat":"ON"}', 'expected {"state":"ON"}, {"state":"OFF"} or {"state":"TOGGLE"}.'],
    ["broken JSON", '{"state":', "not valid JSON."],
    ["JSON array", "[1]", "expected on, off, toggle or a JSON object."],
    ["empty", "  ", "empty command."],
  ])("%s is refused with an error naming topic, input and reason", (_name, input, reason) => {
    const { link, lamp, context } = setup();
    createLamp(context);
    link.deliver(COMMAND, input);
    expect(lamp.level).toBe(0);
    expect(link.errors()).toEqual([{ topic: COMMAND, input, reason }]);
    expect(link.on(STATE)).toEqual([]);
  });

  test("an oversize command is refused and its input truncated in the report", () => {
    const { link, lamp, context } = setup();
    createLamp(context);
    link.deliver(COMMAND, "o".repeat(MAX_COMMAND_BYTES + 1));
    expect(lamp.level).toBe(0);
    const [error] = link.errors();
    expect(error.reason).toBe(`too long: ${MAX_COMMAND_BYTES + 1} bytes; at most ${MAX_COMMAND_BYTES}.`);
    expect(error.input).toBe(`${"o".repeat(64)}...`);
  });

  test("bytes that are not UTF-8 are refused and described, not echoed", () => {
    const { link, context } = setup();
    createLamp(context);
    link.deliver(COMMAND, Uint8Array.of(0x6f, 0xff, 0x6e));
    expect(link.errors()).toEqual([{ topic: COMMAND, input: "(3 bytes, not UTF-8)", reason: "not valid UTF-8 text." }]);
  });

  test("a retained command is ignored by default and applied when lampRetained is true", () => {
    const off = setup();
    createLamp(off.context);
    off.link.deliver(COMMAND, "on", { retain: true });
    expect(off.lamp.level).toBe(0);
    expect(off.logs.join("\n")).toMatch(/ignored retained/);
    const on = setup({ lampRetained: true });
    createLamp(on.context);
    on.link.deliver(COMMAND, "on", { retain: true });
    expect(on.lamp.level).toBe(1);
  });

  test("a command with a ts older than commandMaxAge is refused as stale; a fresh one is applied", () => {
    const { link, lamp, clock, context } = setup({ commandMaxAge: 30000 });
    createLamp(context);
    clock.advance(60_000);
    link.deliver(COMMAND, `{"state":"ON","ts":${EPOCH}}`);
    expect(lamp.level).toBe(0);
    expect(link.errors()[0].reason).toBe("stale: sent 60 s ago; commands older than 30 s are refused.");
    link.deliver(COMMAND, `{"state":"ON","ts":${EPOCH + 50_000}}`);
    expect(lamp.level).toBe(1);
    link.deliver(COMMAND, '{"state":"OFF","ts":"now"}');
    expect(link.errors()[1].reason).toBe("ts must be a number of ms since the epoch.");
  });

  test("an MQTT 5 command that arrives with no message expiry left is refused", () => {
    const { link, lamp, context } = setup();
    createLamp(context);
    link.deliver(COMMAND, "on", { properties: { messageExpiryInterval: 0 } });
    expect(lamp.level).toBe(0);
    expect(link.errors()[0].reason).toBe("expired: its message expiry ran out.");
    link.deliver(COMMAND, "on", { properties: { messageExpiryInterval: 5 } });
    expect(lamp.level).toBe(1);
  });

  test("discovery describes a light bound to the command and state topics", () => {
    const { context } = setup();
    expect(createLamp(context).discovery?.()).toEqual([
      {
        component: "light",
        objectId: "lamp",
        config: { name: "Lamp", cmd_t: COMMAND, stat_t: STATE, pl_on: "on", pl_off: "off" },
      },
    ]);
  });
});
