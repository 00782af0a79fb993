// Tells the panel when the device's MQTT link comes up or goes down. The client reports this only to
// the app, so the simulator watches from outside: after every transport event the client handles
// (a CONNACK arrives inside onReadable) it compares the client's `connected` with what it last saw.
import type { Connect, TransportOptions } from "../src/host.js";
import { sameTarget } from "./network.js";

export interface LinkWatch {
  /** The host's connect, wrapped. */
  connect: Connect;
  /** Looks again (after stop, or on a slow timer as a safety net). */
  check(): void;
}

export function watchLink(
  connect: Connect,
  isConnected: () => boolean,
  onChange: (connected: boolean, reason: string) => void,
): LinkWatch {
  let seen = false;
  let lastReason = "closed by the device";
  const check = (): void => {
    const now = isConnected();
    if (now === seen) return;
    seen = now;
    onChange(now, lastReason);
  };
  return {
    check,
    connect: (options: TransportOptions) => {
      lastReason = "closed by the device";
      // The callbacks are the options' methods (src/host.ts): call them on the options object.
      const transport = connect(
        sameTarget(options, {
          onConnect() {
            options.onConnect();
            check();
          },
          onReadable() {
            options.onReadable();
            check();
          },
          onWritable() {
            options.onWritable();
            check();
          },
          onError(reason: string) {
            lastReason = reason;
            options.onError(reason);
            check();
          },
        }),
      );
      return {
        read: () => transport.read(),
        write: (bytes) => transport.write(bytes),
        close: () => {
          transport.close();
          check();
        },
      };
    },
  };
}
