// XS side: the ports of src/host.ts, each forwarded over the command channel to the board (the
// Node side), which owns the sockets, timers, store, pins and sensor. Events from the board (timer
// fired, bytes arrived, ...) come back through `receive`.
import type { AnalogInput, DigitalInput, DigitalOutput, Host, InputOptions, Pins, TimerHandle, Transport, TransportOptions } from "../../src/host.js";
import { call } from "./channel.js";
import { Float64, FrameReader, Pull, ToBoard, ToXs, frame } from "./protocol.js";

export interface RemoteHost {
  readonly host: Host;
  /** Handles a board event; false when the op is not a host event. */
  receive(reader: FrameReader): boolean;
  /** Why the last connection ended, as its transport said. */
  readonly lastError: string;
}

interface Connection {
  readonly options: TransportOptions;
  readonly received: Uint8Array[];
}

// Pins as small classes (no closure per pin, as on a board): each frame carries the pin's name.
class RemoteOutput implements DigitalOutput {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  write(value: number): void {
    call(frame(ToBoard.pinWrite, this.#name, value ? 1 : 0));
  }
}

class RemoteInput implements DigitalInput {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  read(): number {
    return call(frame(ToBoard.pinRead, this.#name))[0];
  }
}

class RemoteAnalog implements AnalogInput {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  read(): number | undefined {
    const value = new FrameReader(call(frame(ToBoard.analogRead, this.#name))).f64();
    return Number.isNaN(value) ? undefined : value;
  }
}

export function createRemoteHost(): RemoteHost {
  const timers = new Map<number, () => void>();
  const connections = new Map<number, Connection>();
  const inputs = new Map<string, InputOptions>();
  let lastId = 0;
  let lastError = "closed by the device";
  const number = (op: number): number => new FrameReader(call(frame(op))).f64();
  const pins: Pins = {
    output(name, pin) {
      call(frame(ToBoard.output, name, pin));
      return new RemoteOutput(name);
    },
    input(name, pin, options) {
      inputs.set(name, options);
      call(frame(ToBoard.input, name, pin, options.pull === "up" ? Pull.up : options.pull === "down" ? Pull.down : Pull.none));
      return new RemoteInput(name);
    },
    analog(name, pin) {
      call(frame(ToBoard.analog, name, pin));
      return new RemoteAnalog(name);
    },
  };

  const connect = (options: TransportOptions): Transport => {
    const id = ++lastId;
    lastError = "closed by the device";
    const connection: Connection = { options, received: [] };
    connections.set(id, connection);
    const { host, port, secure, path, tls } = options;
    call(frame(ToBoard.connect, id, JSON.stringify({ host, port, secure, path, tls })));
    return {
      read: () => connection.received.shift(),
      write(bytes) {
        // The hot path: one frame, no intermediate parts.
        const out = new Uint8Array(5 + bytes.length);
        out[0] = ToBoard.write;
        new DataView(out.buffer).setUint32(1, id);
        out.set(bytes, 5);
        return call(out)[0] === 1;
      },
      close() {
        if (connections.delete(id)) call(frame(ToBoard.close, id));
      },
    };
  };

  const host: Host = {
    clock: {
      now: () => number(ToBoard.now),
      epoch() {
        const epoch = number(ToBoard.epoch);
        return Number.isNaN(epoch) ? undefined : epoch;
      },
    },
    timers: {
      set(callback, ms): TimerHandle {
        const id = ++lastId;
        timers.set(id, callback);
        call(frame(ToBoard.setTimer, id, new Float64(ms)));
        return id;
      },
      clear(handle) {
        if (typeof handle === "number" && timers.delete(handle)) call(frame(ToBoard.clearTimer, handle));
      },
    },
    connect,
    store: {
      read(key) {
        const answer = call(frame(ToBoard.storeRead, key));
        return answer[0] === 1 ? answer.slice(1) : undefined;
      },
      write: (key, value) => call(frame(ToBoard.storeWrite, key, value))[0] === 1,
      delete: (key) => void call(frame(ToBoard.storeDelete, key)),
      keys: () => new TextDecoder().decode(call(frame(ToBoard.storeKeys))).split("\n").filter((key) => key !== ""),
    },
    pins,
    random: () => number(ToBoard.random),
    log: (line) => void call(frame(ToBoard.log, new TextEncoder().encode(line))),
  };

  const receive = (reader: FrameReader): boolean => {
    if (reader.op === ToXs.timer) {
      const id = reader.u32();
      const callback = timers.get(id);
      timers.delete(id);
      callback?.();
      return true;
    }
    if (reader.op === ToXs.edge) {
      const options = inputs.get(reader.text());
      options?.onChange(reader.u32());
      return true;
    }
    if (reader.op < ToXs.connected || reader.op > ToXs.failed) return false;
    const id = reader.u32();
    const connection = connections.get(id);
    if (!connection) return true; // closed on this side while the event was on its way
    if (reader.op === ToXs.connected) connection.options.onConnect();
    else if (reader.op === ToXs.data) {
      // A copy: the view's buffer is the whole command message.
      connection.received.push(reader.rest().slice());
      connection.options.onReadable();
    } else if (reader.op === ToXs.writable) connection.options.onWritable();
    else {
      connections.delete(id);
      lastError = reader.text();
      connection.options.onError(lastError);
    }
    return true;
  };

  return {
    host,
    receive,
    get lastError() {
      return lastError;
    },
  };
}
