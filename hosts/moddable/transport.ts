// The Transport port on ECMA-419 TCP (embedded:io/socket/tcp), with a DNS look-up first when
// the broker is a name. The socket says how many bytes it can take (onWritable's count); bytes
// beyond that wait here, in order, and write() returns false until they are all handed over.
// mqtts:// goes through moddable/tls (the SDK's TLS socket), which only manifest_tls.json builds
// in: it is imported dynamically, so the plain build links without it and says so.
import TCP from "embedded:io/socket/tcp";
import Net from "net";
import Timer from "timer";
import type { TlsOptions, Transport, TransportOptions } from "../../src/host.js";

/** The part of the SDK's TLS socket this transport uses (moddable/tls opens it). */
export interface SecureSocket {
  /** All decrypted bytes waiting, or undefined. */
  read(): ArrayBuffer | undefined;
  /** Writes one TLS record; returns the bytes the TCP socket still takes, less the SDK's 32-byte margin. */
  write(bytes: Uint8Array): number;
  close(): void;
}

export interface SecureCallbacks {
  onReadable(bytes: number): void;
  onWritable(bytes: number): void;
  onError(): void;
  /** The TLS code threw inside a socket callback (a failed handshake, a fatal alert, a bad record). */
  onFault(error: unknown): void;
}

/** What moddable/tls exports; hosts/moddable/tls.ts checks itself against this. */
export interface TlsModule {
  /** Opens a TLS connection to a dotted IPv4 address, checking the server's certificate for `host`. */
  default(host: string, address: string, port: number, secure: Record<string, unknown>, callbacks: SecureCallbacks): SecureSocket;
  /** The SDK's `secure` dictionary for these options; throws an Error whose message is a sentence. */
  secureOptions(tls: TlsOptions | undefined): Record<string, unknown>;
  /** A sentence for what the SDK's TLS code threw. */
  describe(error: unknown): string;
  /** Bytes kept free after each write for the next record's overhead. */
  WRITE_MARGIN: number;
  /** Largest plaintext in one TLS record. */
  MAX_RECORD: number;
}

/**
 * A specifier TypeScript does not follow: tls.ts imports the SDK's TLS socket, whose typings only
 * manifest_tls.json gives the build's tsc. XS resolves it against this module's name: moddable/tls.
 */
const TLS_MODULE: string = "./tls.js";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Any clock before 2023 was never set (no SNTP answer yet): certificate dates cannot be checked. */
const CLOCK_SET_MS = 1_672_531_200_000;

const OPENING = 0;
const OPEN = 1;
const CLOSED = 2;

export default function connect(options: TransportOptions): Transport {
  const where = `${options.host}:${options.port}`;
  let state = OPENING;
  let socket: TCP | SecureSocket | undefined;
  /** Bytes the socket accepts now without blocking. */
  let writable = 0;
  /** With TLS: the module and the SDK's secure-socket dictionary, once the module is loaded. */
  let tls: { module: TlsModule; secure: Record<string, unknown> } | undefined;
  /** What a callback into the client threw last: the app's error, not the TLS code's. */
  let thrown: { error: unknown } | undefined;
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
      const room = tls !== undefined ? Math.min(writable, tls.module.MAX_RECORD) : writable;
      const part = head.byteLength <= room ? head : head.subarray(0, room);
      let left: unknown;
      try {
        left = socket.write(part);
      } catch {
        fail(`write to ${where} failed`);
        return;
      }
      // A TLS record is larger than its bytes: take the socket's own count, less a record's overhead.
      if (tls !== undefined && typeof left === "number") writable = Math.max(0, Math.min(writable - part.byteLength, left - tls.module.WRITE_MARGIN));
      else writable -= part.byteLength;
      if (part === head) queue.shift();
      else queue[0] = head.subarray(part.byteLength);
    }
  }
  /**
   * Calls into the client over TLS, where the SDK's code is between the socket and here and onFault
   * must tell the app's own throw from a TLS failure. Over plain TCP the callbacks call the client
   * directly: no frame or try on the read path.
   */
  function deliver(callback: () => void): void {
    try {
      callback.call(options);
    } catch (error) {
      thrown = { error };
      throw error;
    }
  }
  const callbacks = {
    onWritable(bytes: number): void {
      writable = bytes;
      if (state === OPENING) {
        state = OPEN;
        if (tls === undefined) options.onConnect();
        else deliver(options.onConnect);
      }
      flush();
      if (owed && queue.length === 0 && state === OPEN) {
        owed = false;
        if (tls === undefined) options.onWritable();
        else deliver(options.onWritable);
      }
    },
    onReadable(): void {
      if (state !== OPEN) return;
      if (tls === undefined) options.onReadable();
      else deliver(options.onReadable);
    },
    onError(): void {
      fail(state === OPENING ? `cannot connect to ${where}` : `connection to ${where} lost`);
    },
    onFault(error: unknown): void {
      // The app's own error passes on, as it would from a plain socket's callback.
      if (thrown !== undefined && thrown.error === error) {
        thrown = undefined;
        throw error;
      }
      const reason = tls !== undefined ? tls.module.describe(error) : String(error);
      fail(state === OPENING ? `TLS handshake with ${where} failed: ${reason}` : `TLS connection to ${where} failed: ${reason}`);
    },
  };
  function open(address: string): void {
    if (state === CLOSED) return;
    try {
      if (tls !== undefined) socket = tls.module.default(options.host, address, options.port, tls.secure, callbacks);
      else {
        const { onReadable, onWritable, onError } = callbacks;
        socket = new TCP({ address, port: options.port, nodelay: true, format: "buffer", onReadable, onWritable, onError });
      }
    } catch (error) {
      const reason = tls !== undefined ? `: ${tls.module.describe(error)}` : error instanceof Error ? `: ${error.message}` : "";
      failSoon(`cannot open a ${tls !== undefined ? "TLS " : ""}socket to ${where}${reason}`);
    }
  }
  function resolve(): void {
    if (IPV4.test(options.host)) open(options.host);
    else
      Net.resolve(options.host, (name, address) => {
        if (address === undefined) fail(`cannot resolve ${name}`);
        else open(address);
      });
  }
  function secure(): void {
    if (Date.now() < CLOCK_SET_MS) {
      failSoon("mqtts:// waits for the clock (SNTP), which TLS needs to check certificate dates");
      return;
    }
    import(TLS_MODULE).then(
      (module: TlsModule) => {
        if (state === CLOSED) return;
        try {
          tls = { module, secure: module.secureOptions(options.tls) };
        } catch (error) {
          fail(error instanceof Error ? error.message : String(error));
          return;
        }
        resolve();
      },
      () => fail("mqtts:// needs TLS, which this build does not include: build manifest_tls.json (docs/moddable.md), or use mqtt://"),
    );
  }

  if (options.path !== undefined) failSoon("ws:// and wss:// need a WebSocket transport, which the Moddable host does not have; use mqtt://");
  else if (options.secure) secure();
  else resolve();

  return {
    read(): Uint8Array | undefined {
      if (socket === undefined) return undefined;
      const data: unknown = (socket as { read(): unknown }).read();
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
