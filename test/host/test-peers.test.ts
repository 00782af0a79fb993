// The test peers themselves: Mosquitto, Aedes and the fault proxy behave as the other suites assume.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { startAedes } from "../support/aedes.js";
import { makeTestCertificate } from "../support/certs.js";
import { findMosquitto, startMosquitto } from "../support/mosquitto.js";
import { startProxy } from "../support/proxy.js";

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An MQTT.js client that records what it receives and its connection events. */
async function peer(url: string, options: mqtt.IClientOptions = {}) {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options });
  const messages: string[] = [];
  const events: string[] = [];
  client.on("message", (topic, payload) => messages.push(`${topic}=${payload.toString()}`));
  client.on("close", () => events.push("close"));
  client.on("connect", () => events.push("connect"));
  client.on("error", (error) => events.push(`error: ${error.message}`));
  await until(`${url} connect`, () => events.length > 0);
  return { client, messages, events };
}

describe("startMosquitto", () => {
  test("starts a broker on a free loopback port that routes messages", async () => {
    const broker = await startMosquitto();
    try {
      expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
      const a = await peer(broker.url);
      expect(a.events).toEqual(["connect"]);
      await a.client.subscribeAsync("t/#", { qos: 1 });
      await a.client.publishAsync("t/1", "hello", { qos: 1 });
      await until("message", () => a.messages.length === 1);
      expect(a.messages).toEqual(["t/1=hello"]);
      await a.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  test("kill() drops clients at once and restart() comes back on the same port, keeping retained messages", async () => {
    const broker = await startMosquitto({ persistence: true });
    try {
      const a = await peer(broker.url);
      await a.client.publishAsync("keep/me", "retained", { qos: 1, retain: true });
      // Mosquitto saves just after its PUBACK, so wait for the save before crashing it.
      const db = join(broker.dir, "mosquitto.db");
      await until("autosave", () => existsSync(db) && readFileSync(db).includes("keep/me"));
      await broker.kill();
      await until("client sees the crash", () => a.events.includes("close"));
      a.client.end(true);
      await broker.restart();
      const b = await peer(broker.url);
      await b.client.subscribeAsync("keep/#", { qos: 1 });
      await until("retained message", () => b.messages.length === 1);
      expect(b.messages).toEqual(["keep/me=retained"]);
      await b.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  test("with a certificate, also listens for TLS", async () => {
    const { cert, key } = makeTestCertificate();
    const broker = await startMosquitto({ tls: { cert, key } });
    try {
      expect(broker.tlsUrl).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
      const a = await peer(broker.tlsUrl as string, { ca: cert });
      expect(a.events).toEqual(["connect"]);
      await a.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  test("says what to install when mosquitto cannot be found", () => {
    const empty = mkdtempSync(join(tmpdir(), "no-mosquitto-"));
    expect(() => findMosquitto({ PATH: empty }, [])).toThrow(
      "mosquitto not found: install it (apt-get install mosquitto mosquitto-clients)",
    );
  });
});

describe("startAedes", () => {
  test("starts an Aedes broker on a free loopback port that routes messages, and stops", async () => {
    const broker = await startAedes();
    const a = await peer(broker.url);
    expect(a.events).toEqual(["connect"]);
    await a.client.subscribeAsync("x", { qos: 1 });
    await a.client.publishAsync("x", "via aedes", { qos: 1 });
    await until("message", () => a.messages.length === 1);
    expect(a.messages).toEqual(["x=via aedes"]);
    await a.client.endAsync();
    await broker.stop();
  });
});

describe("startProxy", () => {
  test("forwards, stalls without closing, cuts, and refuses", async () => {
    const broker = await startMosquitto();
    const proxy = await startProxy(broker.port);
    try {
      const a = await peer(proxy.url);
      const b = await peer(broker.url);
      await a.client.subscribeAsync("p", { qos: 0 });
      expect(proxy.connections()).toBe(1);

      proxy.stall(true);
      b.client.publish("p", "held");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(a.messages).toEqual([]);
      expect(a.events).toEqual(["connect"]);
      proxy.stall(false);
      await until("held message", () => a.messages.length === 1);
      expect(a.messages).toEqual(["p=held"]);

      proxy.cut();
      await until("client sees the cut", () => a.events.includes("close"));
      expect(proxy.connections()).toBe(0);
      a.client.end(true);

      proxy.refuse(true);
      const c = await peer(proxy.url);
      expect(c.events).not.toContain("connect");
      c.client.end(true);
      expect(proxy.accepted()).toBe(2);
      await b.client.endAsync();
    } finally {
      await proxy.close();
      await broker.stop();
    }
  });
});
