import { AttemptErrorKind } from "./outcome.ts";

export interface Failure {
  error: AttemptErrorKind;
  retryable: boolean;
  message: string;
  retryAfterMs?: number;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
// TLS failures (bad certificate, handshake): OpenSSL's verify codes have no common prefix.
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;
// An alert the endpoint sent during the handshake, named in OpenSSL's reason code
// (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: it wanted a client certificate, RFC 8446 §6.2).
const TLS_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/;
const PROXY_REFUSAL = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/;

/**
 * Maps what undici threw to the outcome vocabulary. undici and net pass errors through, wrap
 * them (`cause`), or gather them (`AggregateError.errors` when every address of a host failed
 * under autoSelectFamily), so every error in that tree is examined, most specific kind first.
 */
export function classifyError(
  thrown: unknown,
  context: { https?: boolean; clientCertificate?: boolean } = {},
): Failure {
  const errors = flatten(thrown);
  const codes = errors.map((e) => (typeof e.code === "string" ? e.code : ""));
  const find = (match: (code: string) => boolean) => {
    const index = codes.findIndex(match);
    return index === -1 ? undefined : errors[index]!.message || codes[index]!;
  };
  const blocked = find((code) => code === "HOOKLINE_ADDRESS_BLOCKED");
  if (blocked !== undefined) return failure("addressBlocked", false, blocked);
  const dns = find((code) => DNS_CODES.has(code));
  if (dns !== undefined) return failure("dnsFailure", true, dns);
  const timeout = find((code) => TIMEOUT_CODES.has(code));
  if (timeout !== undefined) return failure("timeout", true, timeout);
  const alert = codes.map((code) => TLS_ALERT.exec(code)?.[1]).find(Boolean);
  if (alert !== undefined) {
    // Whether a certificate went with it is what the operator needs to know to fix it.
    const sent = context.clientCertificate
      ? "with the endpoint's client certificate"
      : "without a client certificate (tls_client_cert)";
    const words = alert.toLowerCase().replaceAll("_", " ");
    return failure(
      "connectionFailed",
      true,
      `the endpoint refused the TLS handshake (${words}); sent ${sent}`,
    );
  }
  // An https endpoint that closes without a byte of answer after the handshake: a server that
  // checks the client certificate itself (Node's) drops the connection without an alert.
  const closed = errors.find((e) => e.code === "UND_ERR_SOCKET") as
    | (ErrorLike & { socket?: { bytesRead?: number } })
    | undefined;
  if (context.https && closed?.socket?.bytesRead === 0) {
    const sent = context.clientCertificate
      ? "with the endpoint's client certificate, which it may not trust"
      : "without a client certificate (tls_client_cert)";
    return failure(
      "connectionFailed",
      true,
      `the endpoint closed the TLS connection without answering (${closed.message}); sent ${sent}`,
    );
  }
  // undici's ProxyAgent when the forward proxy answers CONNECT with other than 200 (a port it
  // does not tunnel to, 403; credentials it wants, 407).
  const tunnel = errors.map((e) => PROXY_REFUSAL.exec(e.message)?.[1]).find(Boolean);
  if (tunnel !== undefined) {
    return failure(
      "connectionFailed",
      true,
      `the forward proxy (HOOKLINE_PROXY_URL) refused the tunnel: it answered CONNECT with ${tunnel}`,
    );
  }
  const connection = find((code) => CONNECTION_CODES.has(code) || TLS_CODE.test(code));
  if (connection !== undefined) return failure("connectionFailed", true, connection);
  const first = errors[0];
  return failure("unknown", true, first ? `${first.name}: ${first.message}` : String(thrown));
}

function failure(kind: keyof typeof AttemptErrorKind, retryable: boolean, message: string) {
  return { error: AttemptErrorKind[kind], retryable, message };
}

type ErrorLike = Error & { code?: unknown; errors?: unknown };

function flatten(thrown: unknown, seen = new Set<unknown>()): ErrorLike[] {
  if (!(thrown instanceof Error) || seen.has(thrown)) return [];
  seen.add(thrown);
  const error = thrown as ErrorLike;
  const nested = Array.isArray(error.errors) ? error.errors : [];
  return [error, ...flatten(error.cause, seen), ...nested.flatMap((e) => flatten(e, seen))];
}
