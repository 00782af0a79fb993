// A publisher as a process of its own, for tests that kill it with SIGKILL: our client on the Node
// host over a file store, a persistent session, QoS 2. Run with tools/run.mjs:
//   --broker URL --store DIR --client-id ID --version 4|5 --topic T [--publish N]
// --publish queues messages "0".."N-1" (the first run only; later runs send what the store kept).
// Prints JSON lines: {"type":"connected"}, then {"type":"idle"} once the outbox is empty.
import { parseArgs } from "node:util";
import { createNodeHost } from "../../hosts/node/host.js";
import { MqttClient } from "../../src/mqtt/client.js";

const { values } = parseArgs({
  options: {
    broker: { type: "string" },
    store: { type: "string" },
    "client-id": { type: "string" },
    version: { type: "string", default: "5" },
    topic: { type: "string" },
    publish: { type: "string", default: "0" },
  },
});
const emit = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

const host = createNodeHost({ storeDir: values.store, log: (line) => emit({ type: "log", line }) });
const client = new MqttClient(host, {
  url: values.broker as string,
  clientId: values["client-id"] as string,
  protocolVersion: values.version === "4" ? 4 : 5,
  clean: false,
  sessionExpiry: 600,
  maxInflight: 5,
  outboxBytes: 64 * 1024,
  reconnect: { min: 50, max: 200 },
  onConnect: () => emit({ type: "connected" }),
  onError: (error) => emit({ type: "error", message: error.message }),
});
for (let i = 0; i < Number(values.publish); i++) {
  const refused = client.publish(values.topic as string, String(i), { qos: 2 });
  if (refused) emit({ type: "error", message: refused.message });
}
client.start();
const watch = setInterval(() => {
  if (!client.connected || client.stats().messages > 0) return;
  clearInterval(watch);
  emit({ type: "idle" });
}, 20);
