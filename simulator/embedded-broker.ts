// The broker the simulator starts when none is given: Aedes in this process on 127.0.0.1, on the
// standard port when it is free so the usual mosquitto_pub/sub commands just work. It also takes
// MQTT over WebSocket (the panel's page), and can be taken down and brought back (the panel's
// "broker down" switch) with its retained messages and sessions kept, as a restarted Mosquitto
// with persistence keeps them.
import net from "node:net";
import type { Duplex } from "node:stream";
import { Aedes } from "aedes";
import { createWebSocketStream, type WebSocket } from "ws";
import { listenLoopback } from "./loopback.js";

export interface EmbeddedBroker {
  port: number;
  /** False while the broker is down: its port refuses connections. */
  readonly up: boolean;
  /** Hands a WebSocket (subprotocol mqtt) to the broker; closed at once while the broker is down. */
  handleWebSocket(socket: WebSocket): void;
  /** Down: every client is cut and the port closed. Up: it listens on the same port again. */
  setUp(up: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(preferredPort = 1883): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const streams = new Set<Duplex>();
  const handle = (stream: Duplex): void => {
    streams.add(stream);
    stream.once("close", () => streams.delete(stream));
    broker.handle(stream);
  };
  const server = net.createServer(handle);
  if (!(await listenLoopback(server, preferredPort)) && !(await listenLoopback(server, 0))) {
    throw new Error("the embedded broker could not listen on 127.0.0.1");
  }
  const { port } = server.address() as net.AddressInfo;
  let up = true;
  const cut = (): void => {
    for (const stream of streams) stream.destroy();
  };
  return {
    port,
    get up() {
      return up;
    },
    handleWebSocket(socket) {
      if (!up) return socket.close(1013, "the broker is down");
      handle(createWebSocketStream(socket));
    },
    async setUp(next) {
      if (next === up) return;
      up = next;
      if (!next) {
        cut();
        await new Promise((resolve) => server.close(resolve));
      } else if (!(await listenLoopback(server, port))) {
        up = false;
        throw new Error(`the embedded broker could not listen on 127.0.0.1:${port} again`);
      }
    },
    close: async () => {
      cut();
      if (up) await new Promise((resolve) => server.close(resolve));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
