// A scripted broker over an in-memory transport: the test reads every frame the client wrote
// and answers with exact bytes, on a virtual clock.
import type { Connect, TransportOptions } from "../../src/host.js";
import { MemoryStore } from "../support/memory-store.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { MqttClient, type ClientOptions } from "../../src/mqtt/client.js";
import type { MqttError } from "../../src/mqtt/link.js";

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

/** Splits bytes holding whole MQTT packets into one array per packet. */
export function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let length = 0;
    let shift = 0;
    let p = at + 1;
    for (;;) {
      const byte = bytes[p++];
      length += (byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    out.push(bytes.subarray(at, p + length));
    at = p + length;
  }
  return out;
}

export class FakeLink {
  /** Transport writes, before splitting into packets. */
  writes = 0;
  readonly written: string[] = [];
  readonly #inbox: Uint8Array[] = [];
  closed = false;
  /** Answer write() with false (back-pressure) while set. */
  full = false;

  readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = options;
  }

  /** The TCP connection opened. */
  open(): void {
    this.options.onConnect();
  }

  /** Bytes from the broker to the client (hex). */
  send(text: string): void {
    this.#inbox.push(unhex(text));
    this.options.onReadable();
  }

  /** The connection failed or the broker hung up. */
  fail(reason = "connection closed by peer"): void {
    this.closed = true;
    this.options.onError(reason);
  }

  /** Frames written since the last take(), as hex. */
  take(): string[] {
    return this.written.splice(0);
  }

  readonly transport = {
    read: (): Uint8Array | undefined => this.#inbox.shift(),
    write: (bytes: Uint8Array): boolean => {
      if (this.closed) throw new Error("write after close");
      this.writes++;
      // The client gathers packets into one write per event: the script reads them one by one.
      for (const frame of frames(bytes)) this.written.push(hex(frame));
      return !this.full;
    },
    close: (): void => {
      this.closed = true;
    },
  };
}

export interface Scripted {
  client: MqttClient;
  clock: VirtualClock;
  store: MemoryStore;
  links: FakeLink[];
  /** The newest connection. */
  link(): FakeLink;
  errors: MqttError[];
  disconnects: MqttError[];
  connects: Array<{ sessionPresent: boolean; protocolVersion: 3 | 4 | 5 }>;
  logs: string[];
  /** Moves the clock to the reconnect attempt. */
  retry(): void;
}

/** `random` feeds the backoff's jitter (and brokerOrder "random"): 0.5 by default, so delays are exact. */
export function scripted(options: Partial<ClientOptions> = {}, store = new MemoryStore(), random: () => number = () => 0.5): Scripted {
  const clock = new VirtualClock();
  const links: FakeLink[] = [];
  const connect: Connect = (transportOptions) => {
    const link = new FakeLink(transportOptions);
    links.push(link);
    return link.transport;
  };
  const errors: MqttError[] = [];
  const disconnects: MqttError[] = [];
  const connects: Array<{ sessionPresent: boolean; protocolVersion: 3 | 4 | 5 }> = [];
  const logs: string[] = [];
  const client = new MqttClient(
    { clock, timers: clock, connect, store, random, log: (line) => logs.push(line) },
    {
      url: "mqtt://broker.test:1883",
      clientId: "c1",
      protocolVersion: 4,
      keepalive: 10,
      reconnect: { min: 1000, max: 30_000, stableAfter: 20_000 },
      onError: (error) => errors.push(error),
      onDisconnect: (error) => disconnects.push(error),
      onConnect: (info) => connects.push(info),
      ...options,
    },
  );
  const retry = () => clock.advance((clock.nextDue() ?? clock.now()) - clock.now());
  return { client, clock, store, links, link: () => links[links.length - 1], errors, disconnects, connects, logs, retry };
}

/** CONNECT (3.1.1, clean, keepalive 10, id "c1") as the client writes it. */
export const CONNECT_V4 = "100e00044d5154540402000a00026331";
export const CONNECT_V4_PERSISTENT = "100e00044d5154540400000a00026331";
export const CONNACK = "20020000";
export const CONNACK_RESUMED = "20020100";
