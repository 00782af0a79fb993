// Node side of the XS engine: plays the board for the firmware running in XS. Every port call from
// XS arrives as a frame and is answered by a Node host (sockets, store, pins, sensor, time); every
// event of that host (timer fired, bytes received, ...) goes to XS as a frame, one crank each.
import type { Connect, Transport, TransportOptions } from "../../src/host.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { VirtualClock } from "../../hosts/node/virtual-clock.js";
import type { PanelEvent } from "../panel.js";
import { bundleForXs, type XsBundle } from "./bundle.js";
import { watchPins } from "../pin-watch.js";
import { Float64, FrameReader, Pull, ToBoard, ToXs, frame } from "./protocol.js";
import { stackPadFor } from "./stack.js";
import { startWorker, type XsWorker } from "./worker.js";

export interface BoardOptions {
  storeDir?: string;
  clock: "real" | "virtual";
  /** A device-process event (ready, pin, connected, disconnected, log) or a sensor reading. */
  emit(event: PanelEvent): void;
  /** An exception inside XS, or the worker gone: the device process cannot go on. */
  fail(error: Error): void;
  /** The XS-side entry to bundle; the device (simulator/xs/device.ts) by default. */
  entry?: string;
  /** Stack left to the firmware, in slots (stack.ts); 0 or absent: all of xsnap's 4096. */
  stackSlots?: number;
  /** Wraps the host's connect (the panel's network switch); the host's own by default. */
  connect?(connect: Connect): Connect;
}

export interface Board {
  readonly worker: XsWorker;
  readonly bundle: XsBundle;
  readonly host: NodeHost;
  /** Parses the raw config in XS and starts the app; resolves with the config errors (none: started). */
  start(raw: Readonly<Record<string, unknown>>): Promise<string[]>;
  /** Virtual clock only: moves time, firing due timers in order, each one's crank done before the next. */
  advance(ms: number): Promise<void>;
  /** Stops the app (offline published, DISCONNECT sent) and waits until its sockets are closed. */
  stop(): Promise<void>;
  /** Resolves once every event sent to XS so far has been handled there. */
  settle(): Promise<void>;
  /** Sends a frame to XS (measurements); resolves with its reply. */
  send(frame: Uint8Array): Promise<Uint8Array>;
  /** Ends the XS machine; later host events (a socket closing, a timer) are dropped. */
  close(): Promise<void>;
}

const DEVICE_ENTRY = "simulator/xs/device.ts";
const EPOCH_START = Date.now();
const STOP_GRACE_MS = 10_000;

export async function startBoard(options: BoardOptions): Promise<Board> {
  const virtual = options.clock === "virtual" ? new VirtualClock({ epoch: EPOCH_START }) : undefined;
  const host = createNodeHost({
    storeDir: options.storeDir,
    clock: virtual,
    log: (line) => options.emit({ type: "log", line }),
  });
  // Whatever the firmware opens: its pins are this host's virtual pins, shown on the panel.
  watchPins(host.pins, host.clock, options.emit);
  const connect = options.connect ? options.connect(host.connect) : host.connect;
  const timers = new Map<number, unknown>();
  const sockets = new Map<number, Transport>();
  let stopped: () => void = () => undefined;
  let last: Promise<unknown> = Promise.resolve();

  let closed = false;
  const toXs = (bytes: Uint8Array): void => {
    if (!closed) last = worker.send(bytes).catch(options.fail);
  };
  const number = (value: number | undefined): Uint8Array => frame(0, new Float64(value ?? Number.NaN));
  const NOTHING = new Uint8Array(0);

  // Answers XS at once: XS is blocked in issueCommand until it gets the reply.
  const answer = (request: Uint8Array): Uint8Array => {
    const reader = new FrameReader(request);
    switch (reader.op) {
      case ToBoard.now:
        return number(host.clock.now());
      case ToBoard.epoch:
        return number(host.clock.epoch());
      case ToBoard.setTimer: {
        const id = reader.u32();
        timers.set(id, host.timers.set(() => (timers.delete(id), toXs(frame(ToXs.timer, id))), reader.f64()));
        return NOTHING;
      }
      case ToBoard.clearTimer: {
        const id = reader.u32();
        host.timers.clear(timers.get(id));
        timers.delete(id);
        return NOTHING;
      }
      case ToBoard.connect: {
        const id = reader.u32();
        const { host: name, port, secure, path, tls } = JSON.parse(reader.text()) as Pick<TransportOptions, "host" | "port" | "secure" | "path" | "tls">;
        const socket = connect({
          host: name,
          port,
          secure,
          path,
          tls,
          onConnect: () => toXs(frame(ToXs.connected, id)),
          onReadable() {
            for (let chunk = socket.read(); chunk !== undefined; chunk = socket.read()) toXs(frame(ToXs.data, id, chunk));
          },
          onWritable: () => toXs(frame(ToXs.writable, id)),
          onError(reason) {
            sockets.delete(id);
            toXs(frame(ToXs.failed, id, reason));
          },
        });
        sockets.set(id, socket);
        return NOTHING;
      }
      case ToBoard.write: {
        const socket = sockets.get(reader.u32());
        // A copy: the transport may keep the bytes after this frame's buffer is gone.
        return Uint8Array.of(socket?.write(reader.rest().slice()) === false ? 0 : 1);
      }
      case ToBoard.close: {
        const id = reader.u32();
        sockets.get(id)?.close();
        sockets.delete(id);
        return NOTHING;
      }
      case ToBoard.storeRead: {
        const value = host.store.read(reader.text());
        return value === undefined ? Uint8Array.of(0) : frame(1, value);
      }
      case ToBoard.storeWrite:
        return Uint8Array.of(host.store.write(reader.text(), reader.rest().slice()) ? 1 : 0);
      case ToBoard.storeDelete:
        host.store.delete(reader.text());
        return NOTHING;
      case ToBoard.storeKeys:
        return new TextEncoder().encode(host.store.keys().join("\n"));
      case ToBoard.output:
        host.pins.output(reader.text(), reader.u32());
        return NOTHING;
      case ToBoard.pinWrite: {
        const pin = host.pins.get(reader.text());
        if (pin?.kind === "output") pin.write(reader.u32());
        return NOTHING;
      }
      case ToBoard.input: {
        const name = reader.text();
        const pin = reader.u32();
        const pull = reader.u32();
        const input = host.pins.input(name, pin, {
          pull: pull === Pull.up ? "up" : pull === Pull.down ? "down" : undefined,
          // An edge is an event for XS, in its own crank, as an interrupt on a board.
          onChange: (value) => toXs(frame(ToXs.edge, name, value)),
        });
        return Uint8Array.of(input.read());
      }
      case ToBoard.pinRead: {
        const pin = host.pins.get(reader.text());
        return Uint8Array.of(pin?.kind === "input" ? pin.read() : 0);
      }
      case ToBoard.analog:
        host.pins.analog(reader.text(), reader.u32());
        return NOTHING;
      case ToBoard.analogRead: {
        const pin = host.pins.get(reader.text());
        return number(pin?.kind === "analog" ? pin.read() : undefined);
      }
      case ToBoard.random:
        return number(host.random());
      case ToBoard.log:
        host.log(new TextDecoder().decode(reader.rest()));
        return NOTHING;
      case ToBoard.event:
        options.emit(JSON.parse(new TextDecoder().decode(reader.rest())) as PanelEvent);
        return NOTHING;
      case ToBoard.stopped:
        stopped();
        return NOTHING;
      default:
        options.fail(new Error(`the XS side sent an unknown op ${reader.op}`));
        return NOTHING;
    }
  };

  const bundle = await bundleForXs(options.entry ?? DEVICE_ENTRY);
  const worker = await startWorker({ name: "xs-device", handle: answer, bundle: () => bundle.code });
  const pad = await stackPadFor(options.stackSlots ?? 0);
  if (pad > 0) await worker.evaluate(`globalThis.xsStackPad = ${pad};`);
  await worker.evaluate(bundle.code);
  await worker.send(frame(ToXs.host));

  const settle = async (): Promise<void> => {
    for (let seen: Promise<unknown> | undefined; seen !== last; ) await (seen = last);
  };

  const advance = async (ms: number): Promise<void> => {
    if (!virtual) throw new Error("advance needs --clock virtual");
    // Time moves only between cranks: the one under way may still set timers.
    await settle();
    const end = virtual.now() + Math.max(0, ms);
    for (let due = virtual.nextDue(); due !== undefined && due <= end; due = virtual.nextDue()) {
      virtual.advance(due - virtual.now());
      await settle();
    }
    virtual.advance(end - virtual.now());
    await settle();
  };

  return {
    worker,
    bundle,
    host,
    async start(raw) {
      const reply = await worker.send(frame(ToXs.start, JSON.stringify(raw)));
      return reply.length === 0 ? [] : (JSON.parse(new TextDecoder().decode(reply)) as string[]);
    },
    advance,
    async stop() {
      let finished = false;
      const done = new Promise<void>((resolve) => (stopped = () => ((finished = true), resolve())));
      toXs(frame(ToXs.stop));
      await settle();
      // On virtual time a stop that waits for a timer (a flush, a grace period) needs time to move.
      for (let waited = 0; virtual && !finished && waited < STOP_GRACE_MS; waited += 100) await advance(100);
      const late = new Promise<never>((_, reject) => {
        setTimeout(() => reject(new Error(`the app did not finish stopping within ${STOP_GRACE_MS} ms`)), STOP_GRACE_MS).unref();
      });
      await Promise.race([done, late]);
      await settle();
    },
    settle,
    send: (bytes) => worker.send(bytes),
    async close() {
      closed = true;
      for (const handle of timers.values()) host.timers.clear(handle);
      for (const socket of sockets.values()) socket.close();
      await worker.close();
    },
  };
}
