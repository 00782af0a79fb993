// What the end-to-end tests share: waiting for a condition, an MQTT.js peer that records what it
// receives, and the device-process commands and events they use most.
import mqtt, { type MqttClient } from "mqtt";
import { tmp36Millivolts } from "../../src/device/tmp36.js";
import type { DeviceEvent } from "./device-process.js";

export async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

export interface Peer {
  client: MqttClient;
  received: Received[];
  on(topic: string): Received[];
}

/** An MQTT.js peer subscribed to `filters` (QoS 1) that records what it receives. */
export async function peer(url: string, filters: string[], options: mqtt.IClientOptions = {}): Promise<Peer> {
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  const received: Received[] = [];
  client.on("message", (topic, payload, packet) => received.push({ topic, text: payload.toString(), retain: packet.retain }));
  if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
  return { client, received, on: (topic: string) => received.filter((m) => m.topic === topic) };
}

/** The stdin command that sets the table's TMP36 ("sensor") to what it gives at `celsius`. */
export const sensor = (celsius: number) => ({ type: "input", name: "sensor", value: tmp36Millivolts(celsius) });

export const isPin = (name: string, value?: 0 | 1) => (e: DeviceEvent) =>
  e.type === "pin" && e.name === name && (value === undefined || e.value === value);

export const isConnected = (e: DeviceEvent) => e.type === "connected";
