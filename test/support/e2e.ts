// What the end-to-end tests share: waiting for a condition, an MQTT.js peer that records what it
// receives, the device-process commands and events they use most, and a fixture that gives a
// describe block its broker and cleans up the devices and peers of each test.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { tmp36Millivolts } from "../../src/device/tmp36.js";
import { spawnDevice, type DeviceEvent, type DeviceOptions, type DeviceProcess, type Engine } from "./device-process.js";
import { startMosquitto, type Mosquitto, type MosquittoOptions } from "./mosquitto.js";

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

export interface E2eDevice {
  proc: DeviceProcess;
  id: string;
  prefix: string;
  store: string;
}

export interface E2eFixture {
  /** The describe block's Mosquitto (set once beforeAll ran). */
  readonly broker: Mosquitto;
  /** A device with its own id, prefix (`<label>/<id>`) and store, discovery off unless config says; not yet connected. */
  device(options?: Partial<DeviceOptions>): Promise<E2eDevice>;
  /** A peer on the broker, subscribed to `filters`. */
  observer(filters: string[], options?: mqtt.IClientOptions): Promise<Peer>;
}

/**
 * For one describe block: a Mosquitto started before its tests and stopped after them, and the
 * devices, stores and peers each test makes, cleaned up after it, so tests share the broker
 * without crosstalk.
 */
export function e2eDevices(engine: Engine, label: string, brokerOptions: MosquittoOptions = {}): E2eFixture {
  let broker: Mosquitto | undefined;
  let n = 0;
  let devices: DeviceProcess[] = [];
  let stores: string[] = [];
  let peers: Peer[] = [];
  const running = (): Mosquitto => {
    if (!broker) throw new Error("the broker starts in beforeAll");
    return broker;
  };
  beforeAll(async () => {
    broker = await startMosquitto(brokerOptions);
  });
  afterAll(async () => {
    await broker?.stop();
  });
  afterEach(async () => {
    for (const p of peers) p.client.end(true);
    for (const d of devices) await d.kill();
    for (const s of stores) rmSync(s, { recursive: true, force: true });
    peers = [];
    devices = [];
    stores = [];
  });
  return {
    get broker() {
      return running();
    },
    async device(options = {}) {
      const id = `${label}-${engine}-${++n}`;
      const store = options.store ?? mkdtempSync(join(tmpdir(), `${label}-store-`));
      stores.push(store);
      const prefix = typeof options.config?.prefix === "string" ? options.config.prefix : `${label}/${id}`;
      const proc = await spawnDevice({ engine, broker: running().url, store, ...options, config: { deviceId: id, prefix, discovery: false, ...options.config } });
      devices.push(proc);
      return { proc, id: typeof options.config?.deviceId === "string" ? options.config.deviceId : id, prefix, store };
    },
    async observer(filters, options = {}) {
      const p = await peer(running().url, filters, options);
      peers.push(p);
      return p;
    },
  };
}
