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

/**
 * Maps what undici threw to the outcome vocabulary. undici and net pass errors through, wrap
 * them (`cause`), or gather them (`AggregateError.errors` when every address of a host failed
 * under autoSelectFamily), so every error in that tree is examined, most specific kind first.
 */
export function classifyError(thrown: unknown): Failure {
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
