// The app wired in-process on a virtual clock with no broker reachable: what it does offline and
// how it stops. Everything with a broker is in test/e2e.
import start from "../../src/app.js";
import type { Connect } from "../../src/host.js";
import { createNodeHost } from "../../hosts/node/host.js";
import { encodeUtf8 } from "../../src/mqtt/codec/utf8.js";
import { SETTINGS_KEY } from "../../src/entities/settings.js";
import { LAMP_KEY } from "../../src/entities/lamp.js";
import { MemoryStore } from "../support/memory-store.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { config } from "../entities/fakes.js";

function offlineHost(store = new MemoryStore()) {
  const clock = new VirtualClock({ now: 0, epoch: 1_700_000_000_000 });
  const host = createNodeHost({ clock, store, log: () => undefined, sensor: { unit: "C", sample: () => 20 } });
  let attempts = 0;
  // Every connection attempt fails at once, as with the broker down.
  const connect: Connect = (options) => {
    attempts++;
    clock.set(() => options.onError("connection refused"), 0);
    return { read: () => undefined, write: () => true, close: () => undefined };
  };
  return { clock, store, host: { ...host, connect }, attempts: () => attempts };
}

describe("app", () => {
  test("offline, readings wait in the outbox and reconnects are attempted with backoff", () => {
    const { clock, host, attempts } = offlineHost();
    const app = start(host, config({ samplePeriod: 1000, deadband: 0, reportPeriod: 1000 }));
    clock.advance(10_000);
    expect(app.client.connected).toBe(false);
    expect(app.client.stats().messages).toBeGreaterThanOrEqual(10);
    expect(attempts()).toBeGreaterThan(1);
    expect(attempts()).toBeLessThan(20);
    app.stop();
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
    store.write(LAMP_KEY, Uint8Array.of(1));
    store.write(SETTINGS_KEY, encodeUtf8('{"bellMaxDuration":-1}'));
    const { host } = offlineHost(store);
    const app = start(host, config());
    expect(host.pins.lamp.value).toBe(1);
    app.stop();
  });
});
