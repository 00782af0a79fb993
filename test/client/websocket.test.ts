// MQTT over WebSocket: the client on the WebSocket transport (hosts/web/transport.ts, over `ws` on
// Node as over the browser's own in the panel), against the embedded Aedes broker's WebSocket, and
// through the panel's bridge to a Mosquitto that has no WebSocket listener.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { parseConfig } from "../../src/config.js";
import { Settings } from "../../src/mqtt/options.js";
import { bridge } from "../../simulator/web/bridge.js";
import { startEmbeddedAedes, type EmbeddedAedes } from "../support/aedes.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { live, stopAll, text, until } from "./live.js";

let aedes: EmbeddedAedes;
let mosquitto: Mosquitto;
let bridged: WebSocketServer;
let bridgeUrl: string;

beforeAll(async () => {
  [aedes, mosquitto] = await Promise.all([startEmbeddedAedes(), startMosquitto()]);
  bridged = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false) });
  bridged.on("connection", (socket) => bridge(socket, mosquitto.url, undefined));
  await new Promise((resolve) => bridged.once("listening", resolve));
  bridgeUrl = `ws://127.0.0.1:${(bridged.address() as AddressInfo).port}/mqtt`;
}, 30_000);
afterEach(stopAll);
afterAll(async () => {
  bridged?.close();
  await Promise.all([aedes?.stop(), mosquitto?.stop()]);
});

describe("a ws:// broker URL", () => {
  it("names the WebSocket path, /mqtt when absent, and the ports ws 80 and wss 443", () => {
    const at = (url: string) => new Settings({ url, clientId: "c" });
    expect([at("ws://example.com").path, at("ws://example.com").port, at("ws://example.com").secure]).toEqual(["/mqtt", 80, false]);
    expect([at("wss://example.com:8884/ws").path, at("wss://example.com:8884/ws").port, at("wss://example.com").secure]).toEqual(["/ws", 8884, true]);
    expect(at("mqtt://example.com").path).toBeUndefined();
    expect(() => at("mqtt://example.com/mqtt")).toThrow(/is not mqtt:\/\/host:port/);
  });

  it("is a broker the config takes; a TCP URL with a path is refused", () => {
    expect(parseConfig({ broker: "ws://127.0.0.1:8080/mqtt" }).ok).toBe(true);
    const refused = parseConfig({ broker: "mqtt://127.0.0.1:1883/mqtt" });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.join(" ")).toMatch(/ws:\/\/host:8080\/mqtt/);
  });
});

describe("over WebSocket", () => {
  it("falls back from MQTT 5 on Aedes even when its CONNACK comes as two WebSocket messages, and round-trips QoS 1", async () => {
    const client = live(aedes.wsUrl, { protocolVersion: 5 });
    await client.start();
    expect(client.connects[0].protocolVersion).toBe(4);
    client.client.subscribe("ws/echo", 1, () => undefined);
    await until(() => client.client.stats().inflight === 0);
    let acked = false;
    client.client.publish("ws/echo", "over a websocket", { qos: 1 }, (error) => (acked = error === undefined));
    await until(() => client.messages.length === 1 && acked, 5000, "the echo and its PUBACK");
    expect(text(client.messages[0])).toBe("over a websocket");
  });

  it("speaks MQTT 5 to Mosquitto through the panel's bridge, QoS 2 included", async () => {
    const client = live(bridgeUrl, { protocolVersion: 5 });
    await client.start();
    expect(client.connects[0].protocolVersion).toBe(5);
    client.client.subscribe("ws/bridge", 2, () => undefined);
    await until(() => client.client.stats().inflight === 0);
    for (let i = 0; i < 20; i++) client.client.publish("ws/bridge", `m${i}`, { qos: 2 });
    await until(() => client.messages.length === 20, 5000, "20 QoS 2 messages back");
    expect(client.messages.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it("loses no QoS 1 message while the embedded broker is down, and keeps its retained messages and sessions", async () => {
    const publisher = live(aedes.wsUrl, { protocolVersion: 4 });
    const subscriber = live(aedes.url, { protocolVersion: 4, clean: false, clientId: `ws-sub-${process.pid}` });
    await Promise.all([publisher.start(), subscriber.start()]);
    subscriber.client.subscribe("ws/while-down", 1, () => undefined);
    publisher.client.publish("ws/retained", "kept", { qos: 1, retain: true });
    await until(() => publisher.client.stats().messages === 0 && subscriber.client.stats().inflight === 0);

    await aedes.setUp(false);
    await until(() => !publisher.client.connected && !subscriber.client.connected, 5000, "both clients to see the broker go");
    for (let i = 0; i < 5; i++) publisher.client.publish("ws/while-down", `d${i}`, { qos: 1 });
    expect(publisher.client.stats().messages).toBe(5);
    expect(publisher.disconnects[0].message).toMatch(/WebSocket close/);

    await aedes.setUp(true);
    await until(() => subscriber.messages.filter((m) => m.topic === "ws/while-down").length === 5, 10_000, "the five held messages");
    expect(subscriber.messages.filter((m) => m.topic === "ws/while-down").map(text)).toEqual(["d0", "d1", "d2", "d3", "d4"]);
    const late = live(aedes.url, { protocolVersion: 4 });
    await late.start();
    late.client.subscribe("ws/retained", 1, () => undefined);
    await until(() => late.messages.length === 1, 5000, "the retained message after the restart");
    expect([text(late.messages[0]), late.messages[0].retain]).toEqual(["kept", true]);
  }, 30_000);
});
