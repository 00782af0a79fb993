// Faults: a proxy that cuts and stalls the publisher's link, and a broker killed with SIGKILL.
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { startProxy, type Proxy } from "../support/proxy.js";
import { live, sleep, stopAll, text, until } from "./live.js";

let mosquitto: Mosquitto;
let proxy: Proxy;

beforeAll(async () => {
  mosquitto = await startMosquitto({ persistence: true });
  proxy = await startProxy(mosquitto.port);
});

afterEach(stopAll);

afterAll(async () => {
  await proxy?.close();
  await mosquitto?.stop();
});

test("1,000 QoS 1 messages across 20+ link cuts and 3 broker kill -9 restarts: none lost", async () => {
  const TOTAL = 1000;
  // The subscriber talks to the broker directly with a persistent session; only the publisher's link is cut.
  const subscriber = live(mosquitto.url, { clientId: `fault-sub-${process.pid}`, clean: false, sessionExpiry: 600 });
  const seen = new Map<string, number>();
  subscriber.client.subscribe("fault/#", 1, (message) => {
    const key = text(message);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  await subscriber.start();
  await sleep(100);

  const publisher = live(proxy.url, {
    clientId: `fault-pub-${process.pid}`,
    clean: false,
    sessionExpiry: 600,
    outboxBytes: 128 * 1024,
    reconnect: { min: 20, max: 200, stableAfter: 1000 },
  });
  await publisher.start();
  let acked = 0;
  let cuts = 0;
  let kills = 0;
  for (let i = 0; i < TOTAL; i++) {
    const refused = publisher.client.publish(`fault/${i % 10}`, String(i), { qos: 1 }, (error) => {
      if (!error) acked++;
    });
    expect(refused).toBeUndefined();
    if (i % 40 === 20) {
      // Cut a live link every time (not one already down), with RST every other time.
      await until(() => publisher.client.connected && proxy.connections() > 0, 5000, "the publisher to reconnect");
      proxy.cut({ reset: i % 80 === 20 });
      cuts++;
    }
    if (i === 250 || i === 500 || i === 750) {
      // The broker itself may lose what it acknowledged in its last moment (see mosquitto.ts), so it
      // is killed once the subscriber has what the publisher saw acknowledged; what is in flight stays in flight.
      await until(() => seen.size >= acked, 5000, "the subscriber to catch up before the kill");
      await mosquitto.kill();
      kills++;
      for (let k = 0; k < 5; k++) publisher.client.publish(`fault/${i % 10}`, String(++i), { qos: 1 }, (e) => !e && acked++);
      await sleep(150);
      await mosquitto.restart();
    }
    if (i % 5 === 0) await sleep(2);
  }
  await until(() => acked === TOTAL, 30_000, `all ${TOTAL} acknowledged (at ${acked})`);
  await until(() => seen.size === TOTAL, 30_000, `all ${TOTAL} at the subscriber (at ${seen.size})`);
  const lost = Array.from({ length: TOTAL }, (_, i) => String(i)).filter((key) => !seen.has(key));
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  const stats = publisher.client.stats();
  console.log(
    `fault run: ${TOTAL} sent, ${seen.size} distinct received, ${lost.length} lost, ${duplicates} duplicates; ` +
      `${cuts} cuts, ${kills} broker kills, publisher reconnected ${stats.connects - 1} times`,
  );
  expect(lost).toEqual([]);
  expect(cuts).toBeGreaterThanOrEqual(20);
  expect(stats.connects - 1).toBeGreaterThanOrEqual(cuts);
  expect(kills).toBe(3);
  expect(stats).toMatchObject({ messages: 0, inflight: 0 });
}, 60_000);

test("a stalled link (half-open) is detected within 1.5x keepalive and the client comes back", async () => {
  const keepalive = 2;
  const client = live(proxy.url, { keepalive });
  await client.start();
  await sleep(300);
  const stalledAt = Date.now();
  proxy.stall(true);
  await until(() => client.disconnects.length === 1, 10_000, "the link to be declared dead");
  const detectedIn = Date.now() - stalledAt;
  proxy.stall(false);
  expect(client.disconnects[0]).toMatchObject({ code: "keepalive" });
  console.log(`stalled link detected after ${detectedIn} ms (keepalive ${keepalive * 1000} ms)`);
  // Bounded loosely: the deadline is exactly 1.5x keepalive after the last byte; timers may run late.
  expect(detectedIn).toBeLessThanOrEqual(1.5 * keepalive * 1000 + 500);
  await until(() => client.connects.length === 2, 5000, "the reconnect");
});
