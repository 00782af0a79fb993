// The app wired in-process on a virtual clock with no broker reachable: what it does offline and
// how it stops. Everything with a broker is in test/e2e.
import start from "../../src/app.js";
import type { Connect } from "../../src/host.js";
import { createNodeHost } from "../../hosts/node/host.js";
import { encodeUtf8 } from "../../src/utf8.js";
import { SETTINGS_KEY } from "../../src/entities/settings.js";
import { tmp36Millivolts } from "../../src/device/tmp36.js";
import { MemoryStore } from "../support/memory-store.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { config } from "../entities/fakes.js";

/** A host whose broker is down, its TMP36 reading `celsius()` (a new value after each reading). */
function offlineHost(store = new MemoryStore(), celsius: () => number = () => 20) {
  const clock = new VirtualClock({ now: 0, epoch: 1_700_000_000_000 });
  const logs: string[] = [];
  const host = createNodeHost({ clock, store, log: (line) => logs.push(line) });
  host.pins.onOpen((pin) => {
    if (pin.kind !== "analog") return;
    pin.set(tmp36Millivolts(celsius()));
    pin.onRead = () => pin.set(tmp36Millivolts(celsius()));
  });
  let attempts = 0;
  // Every connection attempt fails at once, as with the broker down.
  const connect: Connect = (options) => {
    attempts++;
    clock.set(() => options.onError("connection refused"), 0);
    return { read: () => undefined, write: () => true, close: () => undefined };
  };
  return { clock, store, logs, host: { ...host, connect }, attempts: () => attempts };
}

describe("app", () => {
  test("offline, readings wait in the outbox and reconnects are attempted with backoff", () => {
    const { clock, host, attempts } = offlineHost();
    const app = start(host, config({ sensorSamplePeriod: 1000, sensorDeadband: 0, sensorReportPeriod: 1000 }));
    clock.advance(10_000);
    expect(app.client.connected).toBe(false);
    expect(app.client.stats().messages).toBeGreaterThanOrEqual(10);
    expect(attempts()).toBeGreaterThan(1);
    expect(attempts()).toBeLessThan(20);
    app.stop();
  });

  test("every reading a full outbox refuses is counted in the client's drops, by cause", () => {
    let value = 0;
    const { clock, host, logs } = offlineHost(new MemoryStore(), () => value++);
    const app = start(host, config({ sensorSamplePeriod: 100, sensorReportPeriod: 100, sensorDeadband: 0.5, outboxBytes: 512, healthPeriod: 86_400_000 }));
    clock.advance(30_000);
    const refused = logs.filter((line) => line.startsWith("reading dropped: outbox full")).length;
    expect(refused).toBeGreaterThan(250);
    expect(app.client.stats()).toMatchObject({ drops: refused, dropsFull: refused, dropsTooLarge: 0, dropsRefused: 0, dropsInvalid: 0 });
    app.stop();
  });

  test("reconnectMax bounds the wait between attempts", () => {
    const { clock, host, attempts } = offlineHost();
    const app = start(host, config({ reconnectMax: 2000 }));
    clock.advance(60_000);
    // Waits of at most 2 s (full jitter: half of it on average here) give many more attempts than 60 s would.
    expect(attempts()).toBeGreaterThanOrEqual(30);
    const slow = offlineHost();
    const other = start(slow.host, config());
    slow.clock.advance(60_000);
    expect(slow.attempts()).toBeLessThan(15);
    app.stop();
    other.stop();
  });

  test("stop while offline finishes at once and leaves no timer running", () => {
    const { clock, host } = offlineHost();
    const app = start(host, config());
    clock.advance(3000);
    let done = 0;
    app.stop(() => done++);
    expect(done).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  test("the stored lamp state is restored at boot; stored settings that no longer validate do not stop it", () => {
    const store = new MemoryStore();
    store.write("app.lamp", Uint8Array.of(1));
    store.write(SETTINGS_KEY, encodeUtf8('{"bellMaxDuration":-1}'));
    const { host } = offlineHost(store);
    const app = start(host, config());
    expect(host.pins.get("lamp")).toMatchObject({ kind: "output", pin: 2, value: 1 });
    app.stop();
  });
});
