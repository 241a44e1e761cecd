import { AttemptErrorKind, type SendOutcome } from "../dispatch/outcome.ts";

/** What `hookline listen` reports after forwarding one delivery to the local app. */
export interface ListenReport {
  /** The attempt token the stream carried. */
  attempt: string;
  /** The local app's status, when it answered. */
  status?: number | undefined;
  /** The first 4 KB of its answer. */
  body?: string | undefined;
  durationMs: number;
  /** Why there was no answer (refused, timed out), when there was none. */
  error?: { kind: ListenErrorKind; message: string } | undefined;
}

export const LISTEN_ERROR_KINDS = [
  AttemptErrorKind.connectionFailed,
  AttemptErrorKind.timeout,
  AttemptErrorKind.unknown,
] as const;
export type ListenErrorKind = (typeof LISTEN_ERROR_KINDS)[number];

/**
 * The attempt a listener's report stands for, judged as the HTTP sender judges an answer: a 2xx
 * is delivered, anything else (3xx included) is a failure worth retrying. Unlike over HTTP, a
 * 410 from a local app does not disable the session: a developer's app under construction says
 * many things it does not mean.
 */
export function reportOutcome(
  report: ListenReport,
  requestHeaders: Record<string, string>,
): SendOutcome {
  const record = {
    requestHeaders,
    durationMs: Math.max(0, report.durationMs),
    ...(report.body === undefined ? {} : { responseBody: report.body }),
  };
  if (report.status === undefined) {
    return {
      kind: "failed",
      retryable: true,
      error: report.error?.kind ?? AttemptErrorKind.unknown,
      message: `the local app did not answer: ${report.error?.message ?? "no reason given"}`,
      ...record,
    };
  }
  if (report.status >= 200 && report.status < 300) {
    return { kind: "delivered", status: report.status, ...record };
  }
  return {
    kind: "failed",
    retryable: true,
    error: AttemptErrorKind.httpStatus,
    message: `the local app answered ${report.status}`,
    status: report.status,
    ...record,
  };
}

/** An attempt that ended without a report: the listener left, timed out, or the server stops. */
export function unansweredOutcome(
  kind: ListenErrorKind,
  message: string,
  requestHeaders: Record<string, string>,
  durationMs: number,
): SendOutcome {
  return { kind: "failed", retryable: true, error: kind, message, requestHeaders, durationMs };
}
