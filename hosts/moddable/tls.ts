// TLS for the transport, on the SDK's ECMA-419 TLS socket (embedded:io/socket/tcp/tls, the SDK's
// own TLS 1.2 in JavaScript). Only manifest_tls.json maps this module: moddable/transport imports
// it dynamically, so the plain build links without it and refuses mqtts:// with a sentence.
// Certificates and the key are DER resources of the build, named by the tlsCa, tlsCert and tlsKey
// config keys (docs/moddable.md shows how to convert PEM and list them in a manifest).
import TCP from "embedded:io/socket/tcp";
import TLSSocket from "embedded:io/socket/tcp/tls";
import Resource from "Resource";
import type { TlsOptions } from "../../src/host.js";
import type { SecureCallbacks, SecureSocket, TlsModule } from "./transport.js";

/** transport.ts loads this module by a specifier TypeScript does not follow: this checks it. */
export type Exports = Checked<typeof import("./tls.js")>;
type Checked<T extends TlsModule> = T;

/** The SDK's record layer refuses a larger plaintext ("too large"). */
export const MAX_RECORD = 16384;

/**
 * TLS record overhead the transport keeps free after each write, so that the next record fits what
 * the TCP socket takes: the SDK's socket reports 96 bytes less than the TCP socket's count in
 * onWritable, and its write() returns 32 less, so 64 more come off that.
 */
export const WRITE_MARGIN = 64;

/**
 * A DER resource of the build, by its name with or without ".der" (mcconfig keeps a resource's
 * extension); throws a sentence naming the config key when it is missing.
 */
function resource(key: string, name: string): ArrayBuffer {
  const found = Resource.exists(name) ? name : Resource.exists(`${name}.der`) ? `${name}.der` : undefined;
  if (found === undefined) throw new Error(`${key}: no resource ${name} in this build; list it in the manifest's resources (docs/moddable.md)`);
  // A copy in RAM: the SDK's X.509 and PKCS#8 parsers take ArrayBuffers.
  return new Resource(found).slice(0);
}

/**
 * The SDK's `secure` dictionary for TlsOptions: `certificate` (the CA, DER), `clientCertificates`
 * and `clientKey` (unencrypted PKCS#8 DER, RSA), `applicationLayerProtocolNegotiation`. Without a
 * CA the SDK's certificate store is used (ca.ski and the caN.der resources the build lists).
 * Throws an Error whose message is a sentence.
 */
export function secureOptions(tls: TlsOptions | undefined): Record<string, unknown> {
  if (tls?.minVersion === "1.3") throw new Error("tlsMinVersion 1.3: the Moddable SDK's TLS speaks TLS 1.2 only; use tlsMinVersion=1.2");
  const secure: Record<string, unknown> = {};
  if (tls?.ca !== undefined) secure["certificate"] = resource("tlsCa", tls.ca);
  if (tls?.cert !== undefined) secure["clientCertificates"] = [resource("tlsCert", tls.cert)];
  if (tls?.key !== undefined) secure["clientKey"] = resource("tlsKey", tls.key);
  if (tls?.alpn !== undefined && tls.alpn.length > 0) secure["applicationLayerProtocolNegotiation"] = [...tls.alpn];
  return secure;
}

/** The TLS alerts a broker ends a handshake with, by number (RFC 5246 7.2, RFC 8446 6). */
const ALERTS: Readonly<Record<string, string>> = Object.freeze({
  "40": "handshake_failure: no cipher suite in common, or a client certificate is wanted (tlsCert, tlsKey)",
  "42": "bad_certificate: the broker does not accept the client certificate",
  "46": "certificate_unknown: the broker does not accept the client certificate",
  "48": "unknown_ca: the broker does not trust the client certificate's CA",
  "70": "protocol_version: the broker does not speak TLS 1.2",
  "116": "certificate_required: the broker wants a client certificate (tlsCert, tlsKey)",
});

/** A sentence for what the SDK's TLS code threw: its own messages are terse. */
export function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "certificate: auth err")
    return "the broker's certificate was not accepted (certificate: auth err): it must lead to the CA in tlsCa, name the broker's host in its subjectAltName and be in date, and the broker must send its CA with it, not only its own certificate";
  if (message === "date validation failed") return "the tlsCa certificate is out of date, or the clock is wrong";
  const alert = /^alert: \d+, (\d+)$/.exec(message);
  if (alert !== null) return `the broker ended the handshake with TLS alert ${alert[1]}${alert[1] in ALERTS ? ` (${ALERTS[alert[1]]})` : ""}`;
  return message;
}

/**
 * Opens a TLS connection to `address` (a dotted IPv4 address), checking the server's certificate
 * for `host` (also sent as SNI). The SDK's TLS code runs inside the TCP socket's callbacks, where a
 * throw would abort the VM; the TCP socket given to it here catches that and reports onFault.
 */
export default function openSecure(host: string, address: string, port: number, secure: Record<string, unknown>, callbacks: SecureCallbacks): SecureSocket {
  type Options = { onReadable(bytes: number): void; onWritable(bytes: number): void; onError(): void } & Record<string, unknown>;
  function GuardedTCP(options: Options): TCP {
    const { onReadable, onWritable } = options;
    return new TCP({
      ...(options as unknown as { address: string; port: number }),
      onReadable(bytes: number): void {
        try {
          onReadable(bytes);
        } catch (error) {
          callbacks.onFault(error);
        }
      },
      onWritable(bytes: number): void {
        try {
          onWritable(bytes);
        } catch (error) {
          callbacks.onFault(error);
        }
      },
    });
  }
  const options = {
    host,
    address,
    port,
    nodelay: true,
    format: "buffer",
    secure,
    TCP: { io: GuardedTCP },
    onReadable: callbacks.onReadable,
    onWritable: callbacks.onWritable,
    onError: callbacks.onError,
  };
  return new TLSSocket(options as unknown as ConstructorParameters<typeof TLSSocket>[0]) as unknown as SecureSocket;
}
