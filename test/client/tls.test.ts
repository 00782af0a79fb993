// TLS against a real Mosquitto with a CA made at test time: trust, the name check, dates, mutual TLS
// and the TLS version, each failure with its own sentence; and never plain TCP for mqtts://.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { makeTestPki, type TestPki } from "../support/certs.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { live, stopAll, until } from "./live.js";

let pki: TestPki;
let broker: Mosquitto;
/** One TLS listener per case, on one Mosquitto. */
const ports: Record<"good" | "expired" | "wrongName" | "mutual", number> = { good: 0, expired: 0, wrongName: 0, mutual: 0 };

beforeAll(async () => {
  pki = makeTestPki();
  for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
  const listener = (port: number, cert: string, extra: string[] = []): string[] => [
    `listener ${port} 127.0.0.1`,
    `certfile ${cert}`,
    `keyfile ${pki.keyOf(cert)}`,
    ...extra,
  ];
  broker = await startMosquitto({
    config: [
      ...listener(ports.good, pki.server),
      ...listener(ports.expired, pki.expired),
      ...listener(ports.wrongName, pki.wrongName),
      ...listener(ports.mutual, pki.server, [`cafile ${pki.ca}`, "require_certificate true"]),
          ],
  });
}, 30_000);
afterEach(stopAll);
afterAll(async () => {
  await broker?.stop();
  pki?.remove();
});

const url = (port: number, host = "127.0.0.1"): string => `mqtts://${host}:${port}`;

/** The first error a client gets from `port` with these TLS options, having never connected. */
async function refusal(port: number, tls: object, host?: string): Promise<string> {
  const client = live(url(port, host), { tls, reconnect: { min: 5000, max: 5000 } });
  client.client.start();
  await until(() => client.errors.length > 0 || client.disconnects.length > 0, 5000, `an error from port ${port}`);
  expect(client.connects).toEqual([]);
  return (client.errors[0] ?? client.disconnects[0]).message;
}

test("connects and carries messages when the broker's certificate leads to the CA given (as a file, or as PEM text)", async () => {
  for (const ca of [pki.ca, readFileSync(pki.ca, "utf8")]) {
    const client = live(url(ports.good), { tls: { ca } });
    client.client.subscribe("tls/echo", 1, () => undefined);
    await client.start();
    client.client.publish("tls/echo", "over tls", { qos: 1 });
    await until(() => client.messages.length === 1);
    expect(new TextDecoder().decode(client.messages[0].payload)).toBe("over tls");
    await client.stop();
  }
});

test("checks the host name too: localhost is in the certificate, so it connects by name with SNI", async () => {
  const client = live(url(ports.good, "localhost"), { tls: { ca: pki.ca } });
  await client.start();
  expect(client.connects).toHaveLength(1);
});

test("refuses a wrong CA, an expired certificate and a host-name mismatch, with three distinct sentences", async () => {
  const wrongCa = await refusal(ports.good, { ca: pki.otherCa });
  const expired = await refusal(ports.expired, { ca: pki.ca });
  const mismatch = await refusal(ports.wrongName, { ca: pki.ca });
  expect(wrongCa).toMatch(/TLS: the certificate of 127\.0\.0\.1:\d+ is signed by an unknown CA \(\w+\); give the broker's CA as tlsCa/);
  expect(expired).toMatch(/TLS: the certificate of 127\.0\.0\.1:\d+ has expired \(CERT_HAS_EXPIRED\); the broker needs a new one$/);
  expect(mismatch).toMatch(/TLS: the certificate of 127\.0\.0\.1:\d+ is for DNS:broker\.example, not for 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID\); connect by a name the certificate lists$/);
  expect(new Set([wrongCa, expired, mismatch].map((reason) => reason.replace(/\d+/g, "").split(" (")[0])).size).toBe(3);
});

test("mutual TLS: with the client certificate it connects; without one, or with one the broker does not trust, it is refused clearly", async () => {
  const client = live(url(ports.mutual), { tls: { ca: pki.ca, cert: pki.client, key: pki.keyOf(pki.client) } });
  client.client.subscribe("tls/mutual", 1, () => undefined);
  await client.start();
  client.client.publish("tls/mutual", "known", { qos: 1 });
  await until(() => client.messages.length === 1);
  await client.stop();

  const none = await refusal(ports.mutual, { ca: pki.ca });
  const stranger = await refusal(ports.mutual, { ca: pki.ca, cert: pki.strangerClient, key: pki.keyOf(pki.strangerClient) });
  for (const reason of [none, stranger]) expect(reason).toMatch(/TLS: 127\.0\.0\.1:\d+ refused our client certificate \(\w+\); give one it trusts as tlsCert and tlsKey$/);
});

test("a server that offers only TLS 1.2 is refused when tlsMinVersion is 1.3, and taken at the default 1.2", async () => {
  // Mosquitto's tls_version is a floor, so a Node TLS server with a 1.2 ceiling plays the old broker.
  const versions: string[] = [];
  const server = tls.createServer({ cert: readFileSync(pki.server), key: readFileSync(pki.keyOf(pki.server)), maxVersion: "TLSv1.2" }, (socket) => {
    versions.push(socket.getProtocol() ?? "");
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const reason = await refusal(port, { ca: pki.ca, minVersion: "1.3" });
    expect(reason).toMatch(/TLS: 127\.0\.0\.1:\d+ and this device share no TLS version \(\w+\); check tlsMinVersion/);
    const client = live(url(port), { tls: { ca: pki.ca }, reconnect: { min: 5000, max: 5000 } });
    client.client.start();
    await until(() => versions.length > 0);
    expect(versions).toEqual(["TLSv1.2"]);
  } finally {
    server.close();
  }
});

test("mqtts:// never falls back to plain TCP: at a plain port it says the port does not speak TLS", async () => {
  const reason = await refusal(broker.port, { ca: pki.ca });
  expect(reason).toMatch(/TLS: 127\.0\.0\.1:\d+ closed the connection during the TLS handshake \(ECONNRESET\); is that a plain mqtt:\/\/ port\?$/);
});

test("a CA file that cannot be read is named, and nothing is sent", async () => {
  const reason = await refusal(ports.good, { ca: `${pki.dir}/missing.pem` });
  expect(reason).toMatch(/cannot read the CA \(tlsCa\) file .*missing\.pem: ENOENT/);
});
