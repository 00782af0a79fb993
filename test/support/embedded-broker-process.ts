// The simulator's embedded broker (simulator/embedded-broker.ts) in a process of its own, for
// tests: Aedes is ESM-only and jest cannot load it. It also takes MQTT over WebSocket on a second
// port, as the panel hands it WebSockets. Prints {"port":N,"wsPort":M}; each stdin line "down" or
// "up" flips its switch and is answered {"up":true|false}; it exits when stdin closes.
import { createInterface } from "node:readline";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { startEmbeddedBroker } from "../../simulator/embedded-broker.js";

const broker = await startEmbeddedBroker(0);
const ws = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false) });
ws.on("connection", (socket) => broker.handleWebSocket(socket));
await new Promise((resolve) => ws.once("listening", resolve));
process.stdout.write(JSON.stringify({ port: broker.port, wsPort: (ws.address() as AddressInfo).port }) + "\n");

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  void broker
    .setUp(line.trim() === "up")
    .then(() => process.stdout.write(JSON.stringify({ up: broker.up }) + "\n"))
    .catch((error: Error) => process.stdout.write(JSON.stringify({ error: error.message }) + "\n"));
});
input.on("close", () => {
  ws.close();
  void broker.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
