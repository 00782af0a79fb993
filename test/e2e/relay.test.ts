// The relay end to end on both engines against Mosquitto: it obeys and reports its state, auto-off
// included, on the virtual clock.
import type { Engine } from "../support/device-process.js";
import { e2eDevices, isConnected, isPin, until } from "../support/e2e.js";

const engines: Engine[] = ["node", "xs"];

describe.each(engines)("relay on the %s engine against Mosquitto", (engine) => {
  const { device, observer } = e2eDevices(engine, "relay");

  test("the relay obeys on, off and toggle, drives an active-low module inverted, and keeps its state retained", async () => {
    const { proc, prefix } = await device({ config: { relayActiveLow: true } });
    await proc.waitFor(isConnected, "connected");
    // Active low: off at boot is a high pin.
    await proc.waitFor(isPin("relay", 1), "relay pin high (off)");
    const obs = await observer([`${prefix}/relay/state`]);
    await until("state off at connect", () => obs.received.some((m) => m.text === "off" && m.retain));
    const from = proc.events.length;
    for (const command of ["on", "toggle", '{"state":"ON"}', "off"]) await obs.client.publishAsync(`${prefix}/relay`, command, { qos: 1 });
    await until("four states", () => obs.received.filter((m) => !m.retain).length >= 4);
    expect(obs.received.filter((m) => !m.retain).map((m) => m.text)).toEqual(["on", "off", "on", "off"]);
    expect(proc.events.slice(from).flatMap((e) => (e.type === "pin" && e.name === "relay" ? [e.value] : []))).toEqual([0, 1, 0, 1]);
  });

  test("with relayAutoOff the relay switches itself off after the time on the virtual clock, and says so", async () => {
    const { proc, prefix } = await device({ clock: "virtual", config: { relayAutoOff: 2 } });
    await proc.waitFor(isConnected, "connected");
    const obs = await observer([`${prefix}/relay/state`]);
    const from = proc.events.length;
    await obs.client.publishAsync(`${prefix}/relay`, "on", { qos: 1 });
    const on = await proc.waitFor(isPin("relay", 1), "relay on", 10_000, from);
    proc.send({ type: "advance", ms: 1999 });
    proc.send({ type: "advance", ms: 1 });
    const off = await proc.waitFor(isPin("relay", 0), "relay off by itself", 10_000, from);
    expect(off.type === "pin" && on.type === "pin" && off.t - on.t).toBe(2000);
    await until("state off published", () => obs.received.filter((m) => !m.retain).map((m) => m.text).join(" ") === "on off");
  });
});
