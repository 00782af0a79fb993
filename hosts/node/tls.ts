// TLS on Node: the port's TlsOptions as node:tls options (PEM text, or a file holding it), and a
// failed handshake as a sentence that says which of the usual causes it was and what to change.
import { readFileSync } from "node:fs";
import net from "node:net";
import type { ConnectionOptions } from "node:tls";
import type { TlsOptions } from "../../src/host.js";

/** PEM text as it is; anything else is the name of a file that holds it. */
function pem(what: string, value: string): string {
  if (value.includes("-----BEGIN")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * node:tls options for one connection to `host`. `defaultCa` is trusted when `tls.ca` is not given
 * (the simulator's --ca); with neither, Node's own store. The host name is always checked; SNI goes
 * with it when the host is a name (Node warns when given an address). Throws a sentence when a
 * file named in `tls` cannot be read.
 */
export function tlsConnectionOptions(host: string, tls: TlsOptions | undefined, defaultCa?: string): ConnectionOptions {
  const ca = tls?.ca ?? defaultCa;
  return {
    ca: ca === undefined ? undefined : pem("CA (tlsCa)", ca),
    cert: tls?.cert === undefined ? undefined : pem("client certificate (tlsCert)", tls.cert),
    key: tls?.key === undefined ? undefined : pem("client key (tlsKey)", tls.key),
    ALPNProtocols: tls?.alpn === undefined ? undefined : [...tls.alpn],
    minVersion: tls?.minVersion === "1.3" ? "TLSv1.3" : "TLSv1.2",
    servername: net.isIP(host) === 0 ? host : undefined,
    rejectUnauthorized: true,
  };
}

const UNKNOWN_CA = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
]);

/**
 * The sentence for a TLS failure with `where`, or undefined when `error` is not about TLS. Each
 * cause a person can fix has its own: the CA, the dates, the name, our certificate, the version.
 */
export function describeTlsError(error: NodeJS.ErrnoException, where: string): string | undefined {
  const code = error.code ?? "";
  if (UNKNOWN_CA.has(code)) {
    return `TLS: the certificate of ${where} is signed by an unknown CA (${code}); give the broker's CA as tlsCa (or --ca)`;
  }
  if (code === "CERT_HAS_EXPIRED") return `TLS: the certificate of ${where} has expired (${code}); the broker needs a new one`;
  if (code === "CERT_NOT_YET_VALID") return `TLS: the certificate of ${where} is not valid yet (${code}); check this machine's clock`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = (error as { cert?: { subjectaltname?: string } }).cert?.subjectaltname ?? "other names";
    return `TLS: the certificate of ${where} is for ${names}, not for ${where.replace(/:\d+$/, "")} (${code}); connect by a name the certificate lists`;
  }
  if (/CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED/.test(code)) {
    return `TLS: ${where} refused our client certificate (${code.replace(/^ERR_SSL_/, "")}); give one it trusts as tlsCert and tlsKey`;
  }
  if (/UNSUPPORTED_PROTOCOL|ALERT_PROTOCOL_VERSION|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW/.test(code)) {
    return `TLS: ${where} and this device share no TLS version (${code.replace(/^ERR_SSL_/, "")}); check tlsMinVersion against what the broker offers`;
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") {
    return `TLS: ${where} did not answer in TLS (${code.replace(/^ERR_SSL_/, "")}); is that a plain mqtt:// port?`;
  }
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code.startsWith("CERT_")) return `TLS with ${where} failed: ${code}: ${error.message}`;
  return undefined;
}
