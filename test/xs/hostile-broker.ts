// A scripted hostile broker and the MQTT client it talks to, on one engine: the same module runs in
// XS (hostile-xs.ts serves it in the lab) and on Node (hostile.test.ts calls handle() directly), so
// both engines answer the same script. Like test/client/fake-broker.ts, but with nothing from Node
// (no Buffer): the link is in memory, the clock virtual, and streamed bytes are made on this side,
// so a 268 MB PUBLISH never crosses the command channel.
import type { Transport, TransportOptions } from "../../src/host.js";
import { MqttClient, type ClientOptions } from "../../src/mqtt/client.js";
import { Decoder } from "../../src/mqtt/codec/decoder.js";
import type { MqttError } from "../../src/mqtt/link.js";
import { MemoryStore } from "../../hosts/node/memory-store.js";
import { VirtualClock } from "../../hosts/node/virtual-clock.js";

/** One request of the script; every op answers JSON (null when it has nothing to say). */
export type Step =
  | { op: "new"; options: Partial<ClientOptions> }
  | { op: "start" | "open" | "take" | "status" | "count" | "drop" }
  | { op: "send"; hex: string }
  | { op: "subscribe"; filter: string; qos: 0 | 1 | 2 }
  | { op: "chunk"; size: number; fill: number }
  | { op: "stream"; times: number; last?: number }
  | { op: "advance"; ms: number }
  | { op: "batch"; steps: Step[] };

export interface Status {
  state: number;
  connected: boolean;
  /** The newest link was closed by the client. */
  closed: boolean;
  links: number;
  now: number;
  /** ms to the next timer (the reconnect, in WAITING), or null. */
  due: number | null;
  errors: MqttError[];
  disconnects: MqttError[];
  connects: number;
  delivered: number;
  received: number;
  skipped: number;
  duplicates: number;
  failedConnects: number;
}

const HEX = "0123456789abcdef";

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const bytes = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Splits bytes holding whole packets into one hex string per packet (the client writes whole ones). */
function frames(bytes: Uint8Array, out: string[]): void {
  let at = 0;
  while (at < bytes.length) {
    let length = 0;
    let scale = 1;
    let p = at + 1;
    for (;;) {
      const byte = bytes[p++];
      length += (byte & 0x7f) * scale;
      scale *= 128;
      if (!(byte & 0x80)) break;
    }
    out.push(toHex(bytes.subarray(at, p + length)));
    at = p + length;
  }
}

class Link {
  readonly options: TransportOptions;
  readonly written: string[] = [];
  readonly inbox: Uint8Array[] = [];
  closed = false;
  readonly transport: Transport;

  constructor(options: TransportOptions) {
    this.options = options;
    this.transport = {
      read: () => this.inbox.shift(),
      write: (bytes: Uint8Array) => {
        if (this.closed) throw new Error("write after close");
        frames(bytes, this.written);
        return true;
      },
      close: () => {
        this.closed = true;
      },
    };
  }
}

// Every byte array the client's decoder allocates (payloads, partial bodies) is counted.
const allocated = { total: 0, largest: 0 };
const decoderPrototype = Decoder.prototype as unknown as { allocate(size: number): Uint8Array; counted?: boolean };
if (!decoderPrototype.counted) {
  const allocate = decoderPrototype.allocate;
  decoderPrototype.allocate = function (this: unknown, size: number): Uint8Array {
    allocated.total += size;
    if (size > allocated.largest) allocated.largest = size;
    return allocate.call(this, size);
  };
  decoderPrototype.counted = true;
}

interface Session {
  client: MqttClient;
  clock: VirtualClock;
  links: Link[];
  errors: MqttError[];
  disconnects: MqttError[];
  connects: number;
  delivered: number;
}

let session: Session | undefined;
/** The chunk `stream` gives the client again and again (made once, before any measurement). */
let chunk = new Uint8Array(0);

function open(options: Partial<ClientOptions>): Session {
  const clock = new VirtualClock();
  const links: Link[] = [];
  const made: Session = { client: undefined as unknown as MqttClient, clock, links, errors: [], disconnects: [], connects: 0, delivered: 0 };
  made.client = new MqttClient(
    {
      clock,
      timers: clock,
      store: new MemoryStore(),
      random: () => 0.5,
      log: () => undefined,
      connect: (transportOptions) => {
        const link = new Link(transportOptions);
        links.push(link);
        return link.transport;
      },
    },
    {
      url: "mqtt://broker.test:1883",
      clientId: "c1",
      protocolVersion: 4,
      keepalive: 10,
      reconnect: { min: 1000, max: 30_000, stableAfter: 20_000 },
      onError: (error) => void made.errors.push(error),
      onDisconnect: (error) => void made.disconnects.push(error),
      onConnect: () => void made.connects++,
      ...options,
    },
  );
  return made;
}

function current(): Session {
  if (!session) throw new Error("no client: send {op: \"new\"} first");
  return session;
}

function newest(): Link {
  const links = current().links;
  if (links.length === 0) throw new Error("the client opened no link yet");
  return links[links.length - 1];
}

function status(s: Session): Status {
  const stats = s.client.stats();
  const due = s.clock.nextDue();
  return {
    state: s.client.state,
    connected: s.client.connected,
    closed: s.links.length > 0 && s.links[s.links.length - 1].closed,
    links: s.links.length,
    now: s.clock.now(),
    due: due === undefined ? null : due - s.clock.now(),
    errors: s.errors,
    disconnects: s.disconnects,
    connects: s.connects,
    delivered: s.delivered,
    received: stats.received,
    skipped: stats.skipped,
    duplicates: stats.duplicates,
    failedConnects: stats.failedConnects,
  };
}

function run(step: Step): unknown {
  switch (step.op) {
    case "new":
      session = open(step.options);
      allocated.total = allocated.largest = 0;
      return null;
    case "start":
      current().client.start();
      return null;
    case "open":
      newest().options.onConnect();
      return null;
    case "send": {
      const link = newest();
      link.inbox.push(fromHex(step.hex));
      link.options.onReadable();
      return null;
    }
    case "subscribe": {
      const s = current();
      s.client.subscribe(step.filter, step.qos, () => void s.delivered++);
      return null;
    }
    case "chunk":
      chunk = new Uint8Array(step.size).fill(step.fill);
      return null;
    case "stream": {
      // `times` reads of the chunk, then (with `last`) one of its first `last` bytes.
      const link = newest();
      for (let i = 0; i < step.times; i++) link.inbox.push(chunk);
      if (step.last !== undefined) link.inbox.push(chunk.subarray(0, step.last));
      link.options.onReadable();
      link.inbox.length = 0; // what a closed link did not read is gone with it
      return null;
    }
    case "advance":
      current().clock.advance(step.ms);
      return null;
    case "take":
      return newest().written.splice(0);
    case "status":
      return status(current());
    case "count": {
      const counted = { total: allocated.total, largest: allocated.largest };
      allocated.total = allocated.largest = 0;
      return counted;
    }
    case "drop":
      current().client.stop();
      session = undefined;
      chunk = new Uint8Array(0);
      return null;
    case "batch":
      return step.steps.map(run);
  }
}

/** Runs one step (JSON text) and answers JSON text. */
export function handle(text: string): string {
  return JSON.stringify(run(JSON.parse(text) as Step) ?? null);
}
