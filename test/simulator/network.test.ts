// The panel's network switch and packet log (simulator/network.ts), around the Node host's sockets,
// with the firmware's client against a real Mosquitto.
import { createNodeHost } from "../../hosts/node/host.js";
import { ClientState, MqttClient } from "../../src/mqtt/client.js";
import type { MqttError } from "../../src/mqtt/link.js";
import { describePacket, networkSwitch, type PacketEvent } from "../../simulator/network.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until } from "../client/live.js";

let mosquitto: Mosquitto;
beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(() => mosquitto?.stop());

function device(id: string, reconnect = { min: 50, max: 200 }) {
  const packets: PacketEvent[] = [];
  const disconnects: MqttError[] = [];
  let connects = 0;
  const host = createNodeHost({ log: () => undefined });
  // Switched back on, the network tells the client, as Wi-Fi coming back tells the firmware.
  const network = networkSwitch(host.connect, (event) => packets.push(event), () => client.reconnectNow());
  const client: MqttClient = new MqttClient(
    { ...host, connect: network.connect },
    {
      url: mosquitto.url,
      clientId: id,
      keepalive: 30,
      reconnect,
      will: { topic: `${id}/status`, payload: "offline", retain: true },
      onConnect: () => connects++,
      onDisconnect: (error) => disconnects.push(error),
    },
  );
  return { client, network, packets, disconnects, connects: () => connects };
}

describe("the network switch", () => {
  it("cuts the link at once, refuses every attempt while off, and the outbox sends what waited once on", async () => {
    const d = device("net-switch");
    const watcher = device("net-watcher");
    const seen: string[] = [];
    d.client.start();
    watcher.client.start();
    await until(() => d.client.connected && watcher.client.connected, 5000, "both connected");
    watcher.client.subscribe("net-switch/#", 1, (message) => seen.push(`${message.topic} ${new TextDecoder().decode(message.payload)}`));
    await until(() => watcher.client.stats().inflight === 0);

    d.network.set(false);
    expect(d.network.on).toBe(false);
    expect(d.client.connected).toBe(false);
    expect(d.disconnects[0].message).toMatch(/network down \(the panel's network switch is off\)/);
    // The broker saw the link die without a DISCONNECT: it publishes the will.
    await until(() => seen.includes("net-switch/status offline"), 5000, "the will");
    for (let i = 0; i < 3; i++) d.client.publish("net-switch/reading", `r${i}`, { qos: 1 });
    await until(() => d.client.stats().failedConnects >= 2, 5000, "attempts refused while off");
    expect(d.connects()).toBe(1);

    d.network.set(true);
    await until(() => seen.filter((line) => line.startsWith("net-switch/reading")).length === 3, 5000, "the held readings");
    expect(seen.filter((line) => line.startsWith("net-switch/reading"))).toEqual(["net-switch/reading r0", "net-switch/reading r1", "net-switch/reading r2"]);
    expect(d.connects()).toBe(2);
    d.client.stop();
    watcher.client.stop();
  });

  it("reconnects as soon as the network is back, not when a backoff grown while it was away runs out", async () => {
    // Backoff from 1 s to 60 s: after four refused attempts the next may be 16 s away.
    const d = device("net-back", { min: 1000, max: 60_000 });
    d.client.start();
    await until(() => d.client.connected, 5000, "connected");
    d.network.set(false);
    await until(() => d.client.stats().failedConnects >= 1, 5000, "an attempt refused while off");
    expect(d.client.connected).toBe(false);
    expect(d.client.state).toBe(ClientState.WAITING);
    d.network.set(true);
    // The attempt starts there and then, not at the backoff's time.
    expect(d.client.state).toBe(ClientState.CONNECTING);
    await until(() => d.client.connected, 5000, "connected again");
    expect(d.connects()).toBe(2);
    // Switching on what is already on changes nothing.
    d.network.set(true);
    expect(d.client.connected).toBe(true);
    await new Promise<void>((resolve) => d.client.stop(resolve));
  });

  it("logs the packets both ways in one line each, in the firmware's own decoding", async () => {
    const d = device("net-log");
    d.client.start();
    await until(() => d.client.connected, 5000, "connected");
    d.client.publish("net-log/state", "on", { qos: 1, retain: true });
    await until(() => d.packets.some((p) => p.dir === "in" && p.text.startsWith("PUBACK")), 5000, "the PUBACK logged");
    const lines = d.packets.map((p) => `${p.dir} ${p.text}`);
    expect(lines[0]).toBe("out CONNECT MQTT 5 client=net-log clean keepalive=30 will=net-log/status");
    expect(lines[1]).toBe("in CONNACK accepted");
    expect(lines).toContain("out PUBLISH net-log/state q1 retain id=1 on");
    // Mosquitto 2 says nobody took it: 0x10 in MQTT 5.
    expect(lines.find((line) => line.startsWith("in PUBACK"))).toBe("in PUBACK id=1 rc=0x10 (no matching subscribers)");
    await new Promise<void>((resolve) => d.client.stop(resolve));
    expect(d.packets.at(-1)).toEqual({ dir: "out", text: "DISCONNECT" });
  });

  it("describes what a payload is: text cut short, binary by its size", () => {
    const long = "x".repeat(200);
    expect(describePacket({ cmd: "publish", topic: "t", payload: new TextEncoder().encode(long), qos: 0, retain: false, dup: false })).toBe(`PUBLISH t q0 ${"x".repeat(72)}…`);
    expect(describePacket({ cmd: "publish", topic: "t", payload: Uint8Array.of(0xff, 0xfe, 0), qos: 2, retain: false, dup: true, messageId: 7 })).toBe("PUBLISH t q2 dup id=7 (3 bytes)");
    expect(describePacket({ cmd: "suback", messageId: 2, granted: [1, 0x80] })).toBe("SUBACK id=2 [1, 128]");
    expect(describePacket({ cmd: "connack", sessionPresent: false, returnCode: 5 })).toBe("CONNACK refused: rc=0x05 (not authorized)");
    expect(describePacket({ cmd: "connack", sessionPresent: true, reasonCode: 0 })).toBe("CONNACK accepted, session present");
  });
});
