// The Transport port over a WebSocket (MQTT over WebSocket: binary frames, subprotocol "mqtt").
// Written against the WHATWG WebSocket interface, so the same code runs in the browser (the
// simulator's panel) and on Node over the `ws` package (hosts/node/transport.ts, ws:// brokers).
import type { Connect, Transport, TransportOptions } from "../../src/host.js";

/** What this port uses of a WebSocket: the browser's, or `ws` on Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
}

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** Bytes queued in the socket beyond which a write asks the caller to wait for onWritable. */
const WRITE_HIGH_WATER = 64 * 1024;
/** How often a waiting writer looks at bufferedAmount again: a WebSocket has no drain event. */
const DRAIN_POLL_MS = 10;

/** The URL a connection's options name: ws[s]://host:port/path. */
export function webSocketUrl(options: TransportOptions): string {
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return `${options.secure ? "wss" : "ws"}://${host}:${options.port}${options.path ?? "/mqtt"}`;
}

/** A Connect that opens each connection as a WebSocket made by `open`. */
export function webSocketConnect(open: WebSocketFactory): Connect {
  return (options) => connect(options, open);
}

function connect(options: TransportOptions, open: WebSocketFactory): Transport {
  const url = webSocketUrl(options);
  const chunks: Uint8Array[] = [];
  let opened = false;
  let closed = false;
  let waiting = false;

  const fail = (reason: string): void => {
    if (closed) return;
    closed = true;
    socket?.close();
    options.onError(reason);
  };

  let socket: WebSocketLike | undefined;
  try {
    // MQTT 5.0 section 6 and 3.1.1 section 6: the subprotocol is "mqtt".
    socket = open(url, ["mqtt"]);
  } catch (error) {
    const reason = `cannot open ${url}: ${(error as Error).message}`;
    queueMicrotask(() => fail(reason));
  }
  if (socket) {
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      opened = true;
      if (!closed) options.onConnect();
    };
    socket.onmessage = (event) => {
      if (closed || !(event.data instanceof ArrayBuffer)) return;
      chunks.push(new Uint8Array(event.data));
      options.onReadable();
    };
    // The error event says nothing (browsers hide why); the close event that follows has the code.
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      const why = event.reason ? `: ${event.reason}` : "";
      fail(opened ? `connection closed by peer (WebSocket close ${event.code}${why})` : `cannot open ${url} (WebSocket close ${event.code}${why})`);
    };
  }

  const poll = (): void => {
    if (closed || !socket) return;
    if (socket.bufferedAmount > WRITE_HIGH_WATER) {
      setTimeout(poll, DRAIN_POLL_MS);
      return;
    }
    waiting = false;
    options.onWritable();
  };

  return {
    read: () => chunks.shift(),
    write(bytes: Uint8Array): boolean {
      if (closed || !socket || !opened) return false;
      socket.send(bytes);
      if (socket.bufferedAmount <= WRITE_HIGH_WATER) return true;
      if (!waiting) {
        waiting = true;
        setTimeout(poll, DRAIN_POLL_MS);
      }
      return false;
    },
    close(): void {
      if (closed) return;
      closed = true;
      // A normal closure: queued frames (a DISCONNECT) are sent before the close frame.
      socket?.close(1000);
    },
  };
}
