// MQTT over WebSocket for a broker that has no WebSocket listener (Debian's Mosquitto 2.0.11 has
// none): each WebSocket the panel's page opens is carried over a TCP (or TLS) connection of its own
// to the broker, bytes as they are. A ws:// broker gets a WebSocket of its own instead.
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { WebSocket, createWebSocketStream } from "ws";

/** Carries `socket` to the broker at `brokerUrl` (mqtt://, mqtts://, ws:// or wss://) until either end closes. */
export function bridge(socket: WebSocket, brokerUrl: string, ca: string | undefined): void {
  const url = new URL(brokerUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    const upstream = new WebSocket(brokerUrl, ["mqtt"], { ca });
    // The page's CONNECT may come before the broker's WebSocket is open: hold it until then.
    const early: Buffer[] = [];
    upstream.on("open", () => early.splice(0).forEach((data) => upstream.send(data)));
    upstream.on("message", (data: Buffer) => socket.send(data));
    socket.on("message", (data: Buffer) => (upstream.readyState === WebSocket.OPEN ? upstream.send(data) : early.push(data)));
    upstream.on("close", () => socket.close());
    upstream.on("error", () => socket.close(1011, "the broker cannot be reached"));
    socket.on("close", () => upstream.close());
    return;
  }
  const secure = url.protocol === "mqtts:";
  const port = Number(url.port || (secure ? 8883 : 1883));
  const tcp: Duplex = secure ? tls.connect({ host, port, ca, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
  const stream = createWebSocketStream(socket);
  stream.pipe(tcp).pipe(stream);
  const end = (): void => {
    tcp.destroy();
    stream.destroy();
  };
  tcp.on("error", () => socket.close(1011, "the broker cannot be reached"));
  tcp.on("close", end);
  stream.on("error", end);
  stream.on("close", end);
}

