// Our client on the Node host against real brokers, with its events recorded for assertions.
import { createNodeHost } from "../../hosts/node/host.js";
import { MemoryStore } from "../support/memory-store.js";
import { MqttClient, type ClientOptions } from "../../src/mqtt/client.js";
import type { Message, MqttError } from "../../src/mqtt/link.js";
import type { Store } from "../../src/host.js";

export interface Live {
  client: MqttClient;
  connects: Array<{ sessionPresent: boolean; protocolVersion: 3 | 4 | 5 }>;
  disconnects: MqttError[];
  errors: MqttError[];
  messages: Message[];
  store: Store;
  /** Starts and resolves on the next CONNACK. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

let ids = 0;
const running = new Set<MqttClient>();

/** Stops every client made by live() (an afterEach, so a failed test leaves no timers behind). */
export async function stopAll(): Promise<void> {
  for (const client of running) client.stop();
  running.clear();
}

export function live(url: string, options: Partial<ClientOptions> = {}, store: Store = new MemoryStore()): Live {
  const connects: Live["connects"] = [];
  const disconnects: MqttError[] = [];
  const errors: MqttError[] = [];
  const messages: Message[] = [];
  const host = createNodeHost({ store, log: () => undefined });
  const client = new MqttClient(host, {
    url,
    clientId: `t${process.pid}-${++ids}`,
    keepalive: 30,
    reconnect: { min: 50, max: 400, stableAfter: 2000 },
    connectTimeout: 2000,
    ...options,
    onConnect: (info) => connects.push(info),
    onDisconnect: (error) => disconnects.push(error),
    onError: (error) => errors.push(error),
    onMessage: (message) => messages.push(message),
  });
  running.add(client);
  return {
    client,
    connects,
    disconnects,
    errors,
    messages,
    store,
    async start() {
      const before = connects.length;
      client.start();
      await until(() => connects.length > before, 5000, `a CONNACK from ${url} (errors: ${JSON.stringify(errors)})`);
    },
    stop: () => new Promise<void>((resolve) => client.stop(resolve)),
  };
}

/** Polls until `condition` holds; fails with `what` after `ms`. */
export async function until(condition: () => boolean, ms = 5000, what = "the condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const text = (message: Message) => Buffer.from(message.payload).toString();
