import { Observation } from "../domain/circuit-breaker.ts";

/**
 * What one attempt produced. The sender returns this and never writes to the database; the
 * dispatcher turns it into state (attempt row, delivery status, next attempt).
 */
export const AttemptErrorKind = {
  /** The target address is private, loopback, link-local, multicast or reserved and not allowed. */
  addressBlocked: "address_blocked",
  /** The host name did not resolve. */
  dnsFailure: "dns_failure",
  /** TCP/TLS connection refused, reset or failed. */
  connectionFailed: "connection_failed",
  /** No complete answer within the delivery timeout. */
  timeout: "timeout",
  /** The receiver answered, but not with a 2xx (3xx included: redirects are never followed). */
  httpStatus: "http_status",
  /** No OAuth2 token for the endpoint: its token endpoint refused, failed or was unreachable. */
  authFailed: "auth_failed",
  /** Anything else (a bug of ours is logged with context). */
  unknown: "unknown",
} as const;
export type AttemptErrorKind = (typeof AttemptErrorKind)[keyof typeof AttemptErrorKind];

export interface AttemptRecord {
  /** Request headers we sent (signature headers included: they are not secret). */
  requestHeaders: Record<string, string>;
  /** Milliseconds from the start of the request to the end of reading the response. */
  durationMs: number;
  /** The response status, when an answer came. */
  status?: number;
  /** The first bytes of the response body (at most the configured cap), as UTF-8 text. */
  responseBody?: string;
}

export type SendOutcome =
  | ({ kind: "delivered" } & AttemptRecord & { status: number })
  | ({
      kind: "failed";
      /** False for failures that retrying cannot fix (410 Gone, a blocked address). */
      retryable: boolean;
      error: AttemptErrorKind;
      message: string;
      /** The receiver's Retry-After, in milliseconds from now, when it sent a usable one. */
      retryAfterMs?: number;
    } & AttemptRecord);

/**
 * An attempt that failed before any request could be accounted for (the sender threw, or its
 * thread died): retryable, since the receiver may or may not have got it.
 */
export function unsentFailure(message: string): SendOutcome {
  return {
    kind: "failed",
    retryable: true,
    error: AttemptErrorKind.unknown,
    message,
    requestHeaders: {},
    durationMs: 0,
  };
}

/** One attempt to send: the stored event bytes to one endpoint, signed with its secrets. */
export interface SendRequest {
  url: string;
  /** The event JSON exactly as stored; sent byte-identical on every attempt. */
  body: Buffer;
  eventId: string;
  /** Every currently valid secret of the endpoint (new first); each one signs. */
  secrets: readonly string[];
  /** Which header sets to send; both unless the endpoint opted into one scheme. */
  scheme: "stripe" | "standard" | "both";
  /** Headers of the delivery itself (`Hookline-Sequence`), sent besides the base ones. */
  headers?: Record<string, string> | undefined;
  /**
   * The endpoint's custom headers. Sent as they are; recorded with the attempt masked, since
   * their values may be credentials.
   */
  endpointHeaders?: Readonly<Record<string, string>> | null | undefined;
  /** The endpoint's `auth` (JSON text): sent as `Authorization`, recorded masked. */
  auth?: string | null | undefined;
  /**
   * The event's `traceparent`: the attempt sends a child of it (a new span id). Absent or null
   * (a test send, an event older than trace context): the attempt starts a new trace.
   */
  traceParent?: string | null | undefined;
  /** The event's `tracestate`, sent as it is. */
  traceState?: string | null | undefined;
  /**
   * The endpoint's client certificate and key (PEM) for mutual TLS. Absent for most endpoints,
   * which go through the sender's shared pool; the key is never recorded.
   */
  tlsClient?: { cert: string; key: string } | null | undefined;
}

/** What an outcome tells the endpoint's circuit breaker (domain/circuit-breaker.ts). */
export function breakerObservation(outcome: SendOutcome): Observation {
  if (outcome.kind === "delivered") return Observation.answered;
  switch (outcome.error) {
    case AttemptErrorKind.httpStatus: {
      const status = outcome.status ?? 0;
      return status >= 500 || status === 429 ? Observation.errorAnswer : Observation.answered;
    }
    case AttemptErrorKind.connectionFailed:
    case AttemptErrorKind.dnsFailure:
    case AttemptErrorKind.timeout:
      return Observation.unreachable;
    default:
      // A blocked address is the operator's rule; `unknown` is our failure, not the endpoint's.
      return Observation.neutral;
  }
}
