import { createServer, type AddressInfo } from "node:net";
import { createNodeHost } from "../../hosts/node/host.js";
import { VirtualClock } from "../../hosts/node/virtual-clock.js";
import type { Report } from "../../simulator/xs/measure.js";
import start from "../../src/app.js";
import { parseConfig } from "../../src/config.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { measureInXs } from "./measure-process.js";

// Memory budgets of the firmware running in XS, in slots and bytes (never seconds). The figures
// come from simulator/xs/measure.ts, the same run that `npm run bench:xs` prints.
describe("budgets inside XS", () => {
  let mosquitto: Mosquitto;
  let report: Report;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
    report = await measureInXs(mosquitto.url);
  }, 120_000);
  afterAll(() => mosquitto?.stop());

  test("10,000 publishes after warm-up leave the live heap where it was", () => {
    // A leak of one slot per message would show as 10,000 here.
    expect(report.growth).toEqual({ slots: 0, chunkBytes: 0 });
  });

  test("offline, the outbox holds what its byte budget allows and refuses the rest", () => {
    const { offline } = report;
    expect(offline.accepted).toBeGreaterThan(0);
    expect(offline.refused).toBeGreaterThan(0);
    expect(offline.accepted + offline.refused).toBe(200);
    expect(offline.bytes).toBeLessThanOrEqual(offline.budget);
    expect(offline.messages).toBe(offline.queuedAtBoot + offline.accepted);
  });

  test("offline, the outbox in XS accepts, refuses and holds exactly what it does on Node", async () => {
    const onNode = await fillOutboxOnNode(report.offline.budget);
    const { accepted, refused, bytes, messages } = report.offline;
    expect({ accepted, refused, bytes, messages }).toEqual(onNode);
  });

  test("the running app never needs more than the whole ESP8266 XS machine (32 KB)", () => {
    expect(report.app.withoutOutbox).toBeGreaterThan(0);
    expect(report.app.withoutOutbox).toBeLessThanOrEqual(32 * 1024);
  });

  // Half of the ESP8266's 32 KB XS machine, so the outbox, the network stack's JS side and a
  // user's own additions have room. The figure includes a received command (decoder and handler).
  test("the running app (client and devices, outbox excluded) fits in 16 KB of board heap", () => {
    expect(report.app.withoutOutbox).toBeLessThanOrEqual(16 * 1024);
  });

  test("a QoS 1 publish (until PUBACK) costs more compute than a QoS 0 one", () => {
    const qos0 = report.steps.find((step) => step.step === "one QoS 0 publish");
    const qos1 = report.steps.find((step) => step.step.startsWith("one QoS 1 publish"));
    if (!qos0 || !qos1) throw new Error(`steps missing from the report: ${report.steps.map((step) => step.step).join(", ")}`);
    expect(qos0.compute).toBeGreaterThan(0);
    expect(qos1.compute).toBeGreaterThan(qos0.compute);
  });
});

/** The offline scenario of simulator/xs/measure.ts, run on the Node host. */
async function fillOutboxOnNode(budget: number): Promise<{ accepted: number; refused: number; bytes: number; messages: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const parsed = parseConfig({ broker: `mqtt://127.0.0.1:${port}`, deviceId: "xs-offline", outboxBytes: budget, discovery: false });
  if (!parsed.ok) throw new Error(parsed.errors.join(" "));
  const host = createNodeHost({ clock: new VirtualClock({ epoch: Date.now() }), log: () => undefined });
  const app = start(host, parsed.config);
  let refused = 0;
  for (let i = 0; i < 200; i++) if (app.client.publish("bench/xs", "21.5", { qos: 1 })) refused++;
  const stats = app.client.stats();
  app.stop();
  return { accepted: 200 - refused, refused, bytes: stats.bytes, messages: stats.messages };
}
