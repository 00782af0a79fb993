import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeHost } from "../../hosts/node/host.js";
import { FileStore } from "../../hosts/node/file-store.js";
import { makeTestCertificate } from "../support/certs.js";
import { MemoryStore } from "../support/memory-store.js";
import { startMosquitto } from "../support/mosquitto.js";
import { VirtualClock } from "../support/virtual-clock.js";

describe("createNodeHost", () => {
  test("with a virtual clock, timers and pin times follow it", () => {
    const clock = new VirtualClock();
    const host = createNodeHost({ clock, log: () => undefined });
    const lamp = host.pins.output("lamp", 2);
    let fired = 0;
    host.timers.set(() => {
      fired = host.clock.now();
      lamp.write(1);
    }, 1500);
    clock.advance(2000);
    expect(fired).toBe(1500);
    expect(host.pins.get("lamp")).toBe(lamp);
    expect(lamp.history).toEqual([{ t: 1500, value: 1 }]);
  });

  test("by default uses real time and Node timers", async () => {
    const host = createNodeHost({ log: () => undefined });
    const start = host.clock.now();
    expect(Math.abs((host.clock.epoch() as number) - Date.now())).toBeLessThan(1000);
    await new Promise<void>((resolve) => host.timers.set(resolve, 20));
    expect(host.clock.now() - start).toBeGreaterThanOrEqual(19);
    let cleared = true;
    host.timers.clear(host.timers.set(() => (cleared = false), 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cleared).toBe(true);
  });

  test("stores in a directory when given one, else in memory; takes a store as given", () => {
    const dir = mkdtempSync(join(tmpdir(), "host-store-"));
    try {
      expect(createNodeHost({ storeDir: dir }).store).toBeInstanceOf(FileStore);
      expect(createNodeHost().store).toBeInstanceOf(MemoryStore);
      const store = new MemoryStore();
      expect(createNodeHost({ store }).store).toBe(store);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("reports free heap memory, passes log lines and random through", () => {
    const lines: string[] = [];
    const host = createNodeHost({ log: (line) => lines.push(line), random: () => 0.25 });
    expect(host.freeMemory?.()).toBeGreaterThan(0);
    host.log("hello");
    expect(lines).toEqual(["hello"]);
    expect(host.random()).toBe(0.25);
  });

  test("trusts its ca option for TLS connections that bring no ca of their own", async () => {
    const { cert, key } = makeTestCertificate();
    const server = tls.createServer({ cert, key }, (socket) => socket.end());
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const attempt = (ca: string | undefined) =>
      new Promise<string>((resolve) => {
        const transport = createNodeHost({ ca }).connect({
          host: "127.0.0.1",
          port,
          secure: true,
          onConnect: () => {
            transport.close();
            resolve("connected");
          },
          onReadable: () => undefined,
          onWritable: () => undefined,
          onError: (reason) => resolve(reason),
        });
      });
    try {
      expect(await attempt(cert)).toBe("connected");
      expect(await attempt(undefined)).toMatch(/^TLS: the certificate of 127\.0\.0\.1:\d+ is signed by an unknown CA/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("its transport reaches a real Mosquitto: CONNECT gets CONNACK accepted", async () => {
    const broker = await startMosquitto();
    const host = createNodeHost({ log: () => undefined });
    try {
      const received: number[] = [];
      const outcome = await new Promise<string>((resolve) => {
        const transport = host.connect({
          host: broker.host,
          port: broker.port,
          secure: false,
          onConnect: () => {
            // MQTT 3.1.1 CONNECT, clean session, keepalive 60, client id "a".
            transport.write(Uint8Array.from([0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x61]));
          },
          onReadable: () => {
            for (let chunk = transport.read(); chunk; chunk = transport.read()) received.push(...chunk);
            if (received.length >= 4) {
              transport.close();
              resolve("connack");
            }
          },
          onWritable: () => undefined,
          onError: (reason) => resolve(reason),
        });
      });
      expect(outcome).toBe("connack");
      expect(received).toEqual([0x20, 0x02, 0x00, 0x00]);
    } finally {
      await broker.stop();
    }
  });
});
