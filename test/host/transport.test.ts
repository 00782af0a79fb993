import net from "node:net";
import tls from "node:tls";
import { connect } from "../../hosts/node/transport.js";
import type { Transport } from "../../src/host.js";
import { makeTestCertificate } from "../support/certs.js";

/** A transport with its callbacks recorded, and every byte it received. */
function open(port: number, extra: { secure?: boolean; ca?: string; host?: string } = {}) {
  const events: string[] = [];
  const received: number[] = [];
  let transport: Transport | undefined;
  let reading = true;
  const drain = (): void => {
    for (let chunk = transport?.read(); chunk; chunk = transport?.read()) {
      expect(chunk.constructor).toBe(Uint8Array);
      received.push(...chunk);
    }
  };
  transport = connect({
    host: extra.host ?? "127.0.0.1",
    port,
    secure: extra.secure ?? false,
    tls: extra.ca === undefined ? undefined : { ca: extra.ca },
    onConnect: () => events.push("connect"),
    onReadable: () => {
      if (!events.includes("readable")) events.push("readable");
      if (reading) drain();
    },
    onWritable: () => events.push("writable"),
    onError: (reason) => events.push(`error: ${reason}`),
  });
  return {
    transport,
    events,
    received,
    pauseReading: (on: boolean) => {
      reading = !on;
      if (!on) drain();
    },
  };
}

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

describe("Node transport over net", () => {
  let server: net.Server;
  let peers: net.Socket[];
  let port: number;

  beforeEach(async () => {
    peers = [];
    server = net.createServer((socket) => {
      peers.push(socket);
      socket.on("error", () => undefined);
    });
    port = await listen(server);
  });

  afterEach(async () => {
    for (const peer of peers) peer.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test("connects, writes bytes the peer receives, and reads the peer's bytes as Uint8Array chunks", async () => {
    const t = open(port);
    await until("connect", () => t.events.includes("connect"));
    expect(t.transport.write(Uint8Array.from([0x10, 0x02, 0x00, 0x04]))).toBe(true);
    const peerGot: number[] = [];
    peers[0].on("data", (data) => peerGot.push(...data));
    await until("peer receives", () => peerGot.length === 4);
    expect(peerGot).toEqual([0x10, 0x02, 0x00, 0x04]);
    peers[0].write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    await until("bytes read", () => t.received.length === 4);
    expect(t.received).toEqual([0x20, 0x02, 0x00, 0x00]);
    expect(t.transport.read()).toBeUndefined();
    t.transport.close();
  });

  test("reports a refused connection with the address", async () => {
    const closed = net.createServer();
    const deadPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const t = open(deadPort);
    await until("error", () => t.events.length > 0);
    expect(t.events).toEqual([`error: connection refused by 127.0.0.1:${deadPort}`]);
  });

  test("reports an invalid port through onError, after connect has returned", async () => {
    const t = open(70000);
    expect(t.events).toEqual([]);
    await until("error", () => t.events.length > 0);
    expect(t.events[0]).toMatch(/^error: cannot connect to 127\.0\.0\.1:70000: /);
  });

  test("reports the peer closing the connection, once, after delivering what it sent", async () => {
    const t = open(port);
    await until("peer", () => peers.length === 1 && t.events.includes("connect"));
    peers[0].end(Buffer.from("last words"));
    await until("error", () => t.events.some((e) => e.startsWith("error")));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.from(t.received).toString()).toBe("last words");
    expect(t.events.filter((e) => e.startsWith("error"))).toEqual(["error: connection closed by peer"]);
  });

  test("close() is quiet and lets written bytes reach the peer", async () => {
    const t = open(port);
    await until("connect", () => t.events.includes("connect") && peers.length === 1);
    const peerGot: number[] = [];
    let peerEnded = false;
    peers[0].on("data", (data) => peerGot.push(...data));
    peers[0].on("end", () => (peerEnded = true));
    t.transport.write(Uint8Array.from([0xe0, 0x00]));
    t.transport.close();
    await until("peer sees the end", () => peerEnded);
    expect(peerGot).toEqual([0xe0, 0x00]);
    expect(t.transport.write(Uint8Array.from([1]))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.events).toEqual(["connect"]);
  });

  test("write returns false when the peer does not read, then onWritable once it drains", async () => {
    const t = open(port);
    await until("connect", () => t.events.includes("connect") && peers.length === 1);
    peers[0].pause();
    const block = new Uint8Array(64 * 1024);
    let writes = 0;
    while (t.transport.write(block)) {
      if (++writes > 10_000) throw new Error("write never reported back-pressure");
    }
    expect(t.events).not.toContain("writable");
    let peerBytes = 0;
    peers[0].on("data", (data) => (peerBytes += data.length));
    peers[0].resume();
    await until("writable", () => t.events.includes("writable"));
    await until("all bytes", () => peerBytes === (writes + 1) * block.length);
    t.transport.close();
  });

  test("a slow reader loses nothing: reading pauses the socket and resumes it", async () => {
    const t = open(port);
    await until("connect", () => t.events.includes("connect") && peers.length === 1);
    t.pauseReading(true);
    const total = 1024 * 1024;
    const data = Buffer.alloc(total);
    for (let i = 0; i < total; i++) data[i] = i % 251;
    peers[0].write(data);
    await until("first bytes buffered", () => t.events.includes("readable"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.pauseReading(false);
    await until("every byte", () => t.received.length === total, 10_000);
    expect(Buffer.from(t.received).equals(data)).toBe(true);
    t.transport.close();
  });
});

describe("Node transport over TLS", () => {
  const { cert, key } = makeTestCertificate();
  let server: tls.Server;
  let port: number;

  beforeAll(async () => {
    server = tls.createServer({ cert, key }, (socket) => {
      socket.on("error", () => undefined);
      socket.pipe(socket);
    });
    server.on("tlsClientError", () => undefined);
    port = await listen(server);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test("connects when the server's certificate is trusted through the ca option", async () => {
    const t = open(port, { secure: true, ca: cert });
    await until("connect", () => t.events.length > 0);
    expect(t.events).toEqual(["connect"]);
    t.transport.write(Buffer.from("ping over tls"));
    await until("echo", () => t.received.length === 13);
    expect(Buffer.from(t.received).toString()).toBe("ping over tls");
    t.transport.close();
  });

  test("uses the host name for verification (SNI) when given one", async () => {
    const t = open(port, { secure: true, ca: cert, host: "localhost" });
    await until("connect", () => t.events.length > 0);
    expect(t.events).toEqual(["connect"]);
    t.transport.close();
  });

  test("refuses a server whose certificate is not trusted, saying so", async () => {
    const t = open(port, { secure: true });
    await until("error", () => t.events.length > 0);
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatch(new RegExp(`^error: TLS: the certificate of 127\\.0\\.0\\.1:${port} is signed by an unknown CA .*tlsCa`));
  });
});
