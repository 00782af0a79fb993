// The button end to end on both engines against Mosquitto: it hears edges timed on the virtual
// clock and says press, long and double, never bounce, and never retained.
import type { Engine } from "../support/device-process.js";
import { e2eDevices, isConnected, until } from "../support/e2e.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("button on the %s engine against Mosquitto", (engine) => {
  const { device, observer } = e2eDevices(engine, "btn");

  test("button edges timed on the virtual clock: a press, a long press, a double press; bounce says nothing", async () => {
    const { proc, prefix } = await device({ clock: "virtual" });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/button`]);
    // Active low: 0 is pressed. Debounce 30 ms, long 800 ms, double within 300 ms (the defaults).
    const edges = (...steps: Array<number | string>) => {
      for (const step of steps) proc.send(typeof step === "number" ? { type: "advance", ms: step } : { type: "input", name: "button", value: Number(step) });
    };
    edges("0", 5, "1", 5, "0", 5, "1", 500); // bounce: edges 5 ms apart, back at rest
    edges("0", 120, "1", 500); // a press
    edges("0", 900, "1", 500); // a long press, said while held
    edges("0", 80, "1", 100, "0", 80, "1", 500); // a double press
    proc.send({ type: "press", name: "button", ms: 60 }); // the simulator's own press: 60 ms down
    proc.send({ type: "advance", ms: 500 });
    await until("four events", () => obs.received.length >= 4);
    expect(obs.received.map((m) => [m.text, m.retain])).toEqual([
      ["press", false],
      ["long", false],
      ["double", false],
      ["press", false],
    ]);
    // Events are not retained: a late subscriber hears nothing.
    const late = await observer([`${prefix}/button`]);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.received).toEqual([]);
  });
});
