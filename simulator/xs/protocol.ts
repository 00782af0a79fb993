// The command channel between the XS side (device.ts, in xsnap) and the Node side (board.ts).
// XS calls issueCommand (synchronous: the board answers at once); Node calls handleCommand. Frames
// are bytes: an op code, then the op's fields (u32 ids, f64 numbers, UTF-8 text, raw bytes).

/** Ops sent by the XS side: the ports of src/host.ts, forwarded to a Node host. */
export const ToBoard = Object.freeze({
  now: 1,
  epoch: 2,
  setTimer: 3,
  clearTimer: 4,
  connect: 5,
  write: 6,
  close: 7,
  storeRead: 8,
  storeWrite: 9,
  storeDelete: 10,
  storeKeys: 11,
  /** Opens a digital output: name, pin. */
  output: 12,
  /** Writes an output: name, level. */
  pinWrite: 13,
  random: 14,
  log: 15,
  /** A device-process event (JSON line) that only the XS side sees: ready, connected, ... */
  event: 16,
  /** The app finished stopping (offline published, DISCONNECT sent). */
  stopped: 17,
  /** Opens a digital input: name, pin, pull (0 none, 1 up, 2 down); replies its level (u8). */
  input: 18,
  /** Reads an input: name; replies its level (u8). */
  pinRead: 19,
  /** Opens an analog input: name, pin. */
  analog: 20,
  /** Reads an analog input: name; replies millivolts (f64, NaN: unreadable). */
  analogRead: 21,
});

/** Ops sent by the Node side to the XS side's handleCommand. */
export const ToXs = Object.freeze({
  /** Raw config (JSON) to parse and start the app with; replies parse errors (JSON array) or nothing. */
  start: 1,
  timer: 2,
  connected: 3,
  data: 4,
  writable: 5,
  failed: 6,
  stop: 7,
  /** Measurement: publish a burst (u32 count, u8 qos) from the running app's client. */
  publish: 8,
  /** Measurement: the running client's outbox (JSON of client.stats()). */
  stats: 9,
  /** Makes the remote host, before the app: the app's heap is measured apart from it. */
  host: 10,
  /** An input changed level: name, level. */
  edge: 11,
  /** The network is back (the panel's switch): the client tries at once. */
  networkUp: 12,
});

/** First byte of every handleCommand reply. */
export const Reply = Object.freeze({ ok: 0, thrown: 1 });

/** An input's pull, as the input frame carries it. */
export const Pull = Object.freeze({ none: 0, up: 1, down: 2 });

/** Builds a frame: op, then fields in order (numbers as u32 unless `f64`, text as UTF-8 with a u16 length). */
export function frame(op: number, ...fields: ReadonlyArray<Field>): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const parts = fields.map((field) => (typeof field === "string" ? encoder.encode(field) : field));
  let size = 1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const length = typeof fields[i] === "string" ? 2 : 0;
    size += length + (typeof part === "number" ? 4 : part instanceof Float64 ? 8 : part.length);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = op;
  let at = 1;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (typeof part === "number") {
      view.setUint32(at, part);
      at += 4;
    } else if (part instanceof Float64) {
      view.setFloat64(at, part.value);
      at += 8;
    } else {
      if (typeof fields[i] === "string") {
        view.setUint16(at, part.length);
        at += 2;
      }
      bytes.set(part, at);
      at += part.length;
    }
  }
  return bytes;
}

export type Field = number | string | Float64 | Uint8Array;

/** A number sent as a float64 (times, sensor values) rather than a u32. */
export class Float64 {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Reads a frame's fields in order. */
export class FrameReader {
  readonly op: number;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 1;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.op = bytes[0];
  }
  u32(): number {
    this.at += 4;
    return this.view.getUint32(this.at - 4);
  }
  u8(): number {
    return this.bytes[this.at++];
  }
  f64(): number {
    this.at += 8;
    return this.view.getFloat64(this.at - 8);
  }
  text(): string {
    const length = this.view.getUint16(this.at);
    this.at += 2 + length;
    return new TextDecoder().decode(this.bytes.subarray(this.at - length, this.at));
  }
  /** The rest of the frame (a view, not a copy). */
  rest(): Uint8Array {
    const rest = this.bytes.subarray(this.at);
    this.at = this.bytes.length;
    return rest;
  }
}
