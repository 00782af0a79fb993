// A throwaway self-signed certificate for 127.0.0.1 and localhost, made at test time with openssl.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM certificate; it is its own CA, so pass it as `ca` to trust it. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export function makeTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "cert-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        { stdio: "pipe" },
      );
    } catch (error) {
      throw new Error(`openssl could not make a test certificate (install it: apt-get install openssl): ${(error as Error).message}`);
    }
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PEM files of a test PKI, in its own directory (for Mosquitto's certfile/cafile lines). */
export interface TestPki {
  dir: string;
  /** The CA that signs the rest. */
  ca: string;
  /** Another CA, that signed none of these. */
  otherCa: string;
  /** Server certificates (each with `.key`) for 127.0.0.1 and localhost: valid, expired, and one for another name. */
  server: string;
  expired: string;
  wrongName: string;
  /** A client certificate the CA signed, for mutual TLS. */
  client: string;
  /** A client certificate signed by the other CA. */
  strangerClient: string;
  /** The key file of a certificate file above. */
  keyOf(certFile: string): string;
  remove(): void;
}

/** A CA, server and client certificates for tests, made with openssl into a temp directory. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "pki-"));
  const file = (name: string): string => join(dir, name);
  const run = (args: string[]): void => {
    try {
      execFileSync("openssl", args, { stdio: "pipe" });
    } catch (error) {
      throw new Error(`openssl failed (install it: apt-get install openssl): ${(error as Error).message}`);
    }
  };
  const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = (name: string): void => run(["req", "-x509", ...EC, "-keyout", file(`${name}.key`), "-out", file(`${name}.pem`), "-days", "2", "-subj", `/CN=${name}`]);
  const signed = (name: string, by: string, san: string | undefined, days: string): void => {
    run(["req", ...EC, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`]);
    const extFile = file(`${name}.ext`);
    writeFileSync(extFile, san === undefined ? "extendedKeyUsage=clientAuth\n" : `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    run(["x509", "-req", "-in", file(`${name}.csr`), "-CA", file(`${by}.pem`), "-CAkey", file(`${by}.key`), "-CAcreateserial", "-days", days, "-extfile", extFile, "-out", file(`${name}.pem`)]);
  };
  ca("test-ca");
  ca("other-ca");
  signed("server", "test-ca", "IP:127.0.0.1,DNS:localhost", "2");
  // Not after is a day before not before: expired from the start.
  signed("expired", "test-ca", "IP:127.0.0.1,DNS:localhost", "-1");
  signed("wrong-name", "test-ca", "DNS:broker.example", "2");
  signed("client", "test-ca", undefined, "2");
  signed("stranger", "other-ca", undefined, "2");
  return {
    dir,
    ca: file("test-ca.pem"),
    otherCa: file("other-ca.pem"),
    server: file("server.pem"),
    expired: file("expired.pem"),
    wrongName: file("wrong-name.pem"),
    client: file("client.pem"),
    strangerClient: file("stranger.pem"),
    keyOf: (certFile) => certFile.replace(/\.pem$/, ".key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
