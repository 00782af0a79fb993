// The device itself on a ws:// broker, on both engines: the Node host opens MQTT over WebSocket
// (hosts/web/transport.ts over `ws`), and the XS engine's board does the same for the firmware in XS.
import { spawnDevice, type DeviceProcess, type Engine } from "../support/device-process.js";
import { startEmbeddedAedes, type EmbeddedAedes } from "../support/aedes.js";
import { isConnected, isPin, peer, until } from "../support/e2e.js";

let aedes: EmbeddedAedes;
beforeAll(async () => {
  aedes = await startEmbeddedAedes();
}, 30_000);
afterAll(() => aedes?.stop());

describe.each<Engine>(["node", "xs"])("the device on a ws:// broker, %s engine", (engine) => {
  let proc: DeviceProcess | undefined;
  afterEach(() => proc?.kill());

  test("connects over WebSocket (falling back to 3.1.1 on Aedes), obeys a command and reports its state", async () => {
    proc = await spawnDevice({ engine, broker: aedes.wsUrl, config: { deviceId: `ws-${engine}`, prefix: `ws/${engine}`, discovery: false }, startTimeoutMs: 60_000 });
    await proc.waitFor(isConnected, "connected over WebSocket", 15_000);
    expect(proc.events.some((e) => e.type === "log" && /refused MQTT 5.*using MQTT 3\.1\.1/.test(e.line))).toBe(true);
    const obs = await peer(aedes.url, [`ws/${engine}/lamp/state`]);
    await obs.client.publishAsync(`ws/${engine}/lamp`, "on", { qos: 1 });
    await proc.waitFor(isPin("lamp", 1), "the lamp on");
    await until("state on", () => obs.on(`ws/${engine}/lamp/state`).some((m) => m.text === "on"));
    await obs.client.endAsync();
  }, 60_000);
});
