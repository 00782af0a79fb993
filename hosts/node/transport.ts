// The Transport port on Node's net and tls sockets: readiness callbacks, pull reads, back-pressure.
import net from "node:net";
import tls from "node:tls";
import type { Transport, TransportOptions } from "../../src/host.js";
import { describeTlsError, tlsConnectionOptions } from "./tls.js";

/** Received bytes buffered before the socket is paused until the reader catches up. */
const READ_HIGH_WATER = 64 * 1024;

/** A sentence a person can act on, from a socket error. */
function describe(error: NodeJS.ErrnoException, where: string, secure: boolean): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection refused by ${where}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host not found: ${where}`;
    case "ETIMEDOUT":
      return `connection to ${where} timed out`;
    case "ECONNRESET":
      return `connection reset by ${where}`;
    case "EPIPE":
      return "connection closed by peer";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `no route to ${where}`;
  }
  if (secure) return describeTlsError(error, where) ?? `TLS with ${where} failed: ${error.message}`;
  return `connection to ${where} failed: ${error.message}`;
}

/** `defaultCa`: trusted for TLS when `options.tls.ca` is not given (a private broker's CA). */
export const connect = (options: TransportOptions, defaultCa?: string): Transport => {
  const where = `${options.host}:${options.port}`;
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let closed = false;
  let waitingForDrain = false;

  // Reports the end once; after close() or an earlier report nothing more is said.
  const fail = (reason: string): void => {
    if (closed) return;
    closed = true;
    socket?.destroy();
    options.onError(reason);
  };

  let socket: net.Socket | undefined;
  try {
    socket = options.secure
      ? tls.connect({ host: options.host, port: options.port, ...tlsConnectionOptions(options.host, options.tls, defaultCa) })
      : net.connect({ host: options.host, port: options.port });
  } catch (error) {
    // A bad port throws at once; the caller still hears of it through onError, after connect returns.
    const reason = `cannot connect to ${where}: ${(error as Error).message}`;
    queueMicrotask(() => fail(reason));
  }

  if (socket) {
    const s = socket;
    s.setNoDelay(true);
    let handshaken = !options.secure;
    s.once(options.secure ? "secureConnect" : "connect", () => {
      handshaken = true;
      if (!closed) options.onConnect();
    });
    s.on("data", (data: Buffer) => {
      if (closed) return;
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buffered += data.byteLength;
      if (buffered >= READ_HIGH_WATER) s.pause();
      options.onReadable();
    });
    s.on("drain", () => {
      if (closed || !waitingForDrain) return;
      waitingForDrain = false;
      options.onWritable();
    });
    // A peer that hangs up in the middle of the handshake is most often not a TLS port at all.
    const cut = (code: string): string => `TLS: ${where} closed the connection during the TLS handshake (${code}); is that a plain mqtt:// port?`;
    s.on("error", (error: NodeJS.ErrnoException) =>
      fail(!handshaken && error.code === "ECONNRESET" ? cut("ECONNRESET") : describe(error, where, options.secure)),
    );
    s.on("end", () => fail(handshaken ? "connection closed by peer" : cut("EOF")));
    s.on("close", () => fail(handshaken ? "connection closed by peer" : cut("closed")));
  }

  return {
    read(): Uint8Array | undefined {
      const chunk = chunks.shift();
      if (chunk === undefined) return undefined;
      buffered -= chunk.byteLength;
      if (buffered < READ_HIGH_WATER && socket?.isPaused() && !closed) socket.resume();
      return chunk;
    },
    write(bytes: Uint8Array): boolean {
      if (closed || !socket) return false;
      if (socket.write(bytes)) return true;
      waitingForDrain = true;
      return false;
    },
    close(): void {
      if (closed) return;
      closed = true;
      // end() lets queued bytes (a DISCONNECT) go out; destroy after a moment in case the peer is gone.
      socket?.end();
      const s = socket;
      setTimeout(() => s?.destroy(), 1000).unref();
    },
  };
};
