// The Transport port on ECMA-419 TCP (embedded:io/socket/tcp), with a DNS look-up first when
// the broker is a name. The socket says how many bytes it can take (onWritable's count); bytes
// beyond that wait here, in order, and write() returns false until they are all handed over.
import TCP from "embedded:io/socket/tcp";
import Net from "net";
import Timer from "timer";
import type { Transport, TransportOptions } from "../../src/host.js";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const OPENING = 0;
const OPEN = 1;
const CLOSED = 2;

export default function connect(options: TransportOptions): Transport {
  const where = `${options.host}:${options.port}`;
  let state = OPENING;
  let socket: TCP | undefined;
  /** Bytes the socket accepts now without blocking. */
  let writable = 0;
  /** write() returned false, so onWritable is owed once the queue drains. */
  let owed = false;
  const queue: Uint8Array[] = [];

  function fail(reason: string): void {
    if (state === CLOSED) return;
    state = CLOSED;
    drop();
    options.onError(reason);
  }
  // Reported on a later turn, so the caller has its Transport before any callback arrives.
  function failSoon(reason: string): void {
    Timer.set(() => fail(reason), 0);
  }
  function drop(): void {
    const closing = socket;
    socket = undefined;
    queue.length = 0;
    try {
      closing?.close();
    } catch {
      // Closing a socket that already failed: nothing more to release.
    }
  }
  function flush(): void {
    while (socket !== undefined && queue.length > 0 && writable > 0) {
      const head = queue[0];
      const part = head.byteLength <= writable ? head : head.subarray(0, writable);
      try {
        socket.write(part);
      } catch {
        fail(`write to ${where} failed`);
        return;
      }
      writable -= part.byteLength;
      if (part === head) queue.shift();
      else queue[0] = head.subarray(part.byteLength);
    }
  }
  function open(address: string): void {
    if (state === CLOSED) return;
    try {
      socket = new TCP({
        address,
        port: options.port,
        nodelay: true,
        format: "buffer",
        onWritable(bytes: number): void {
          writable = bytes;
          if (state === OPENING) {
            state = OPEN;
            options.onConnect();
          }
          flush();
          if (owed && queue.length === 0 && state === OPEN) {
            owed = false;
            options.onWritable();
          }
        },
        onReadable(): void {
          if (state === OPEN) options.onReadable();
        },
        onError(): void {
          fail(state === OPENING ? `cannot connect to ${where}` : `connection to ${where} lost`);
        },
      });
    } catch {
      failSoon(`cannot open a socket to ${where}`);
    }
  }

  if (options.path !== undefined) failSoon("ws:// and wss:// need a WebSocket transport, which the Moddable host does not have; use mqtt://");
  else if (options.secure) failSoon("mqtts:// needs TLS, which this Moddable build does not include; use mqtt://");
  else if (IPV4.test(options.host)) open(options.host);
  else
    Net.resolve(options.host, (name, address) => {
      if (address === undefined) fail(`cannot resolve ${name}`);
      else open(address);
    });

  return {
    read(): Uint8Array | undefined {
      if (socket === undefined) return undefined;
      const data: unknown = socket.read();
      return data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
    },
    write(bytes: Uint8Array): boolean {
      if (state === CLOSED) return true;
      queue.push(bytes);
      if (state === OPEN) flush();
      if (queue.length === 0) return true;
      owed = true;
      return false;
    },
    close(): void {
      state = CLOSED;
      drop();
    },
  };
}
