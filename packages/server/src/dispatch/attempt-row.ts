import { IdPrefix, newId } from "../ids.ts";
import type { AttemptRow } from "../store/types.ts";
import type { SendOutcome } from "./outcome.ts";

/** One attempt's row from the sender's outcome: what the dispatcher records and a test send shows. */
export function attemptRow(
  outcome: SendOutcome,
  deliveryId: string,
  startedAt: number,
): AttemptRow {
  return {
    id: newId(IdPrefix.attempt),
    deliveryId,
    createdAt: startedAt,
    durationMs: Math.round(outcome.durationMs),
    statusCode: outcome.status ?? null,
    responseBody: outcome.responseBody ?? null,
    errorKind: outcome.kind === "failed" ? outcome.error : null,
    errorMessage: outcome.kind === "failed" ? outcome.message : null,
    requestHeaders: outcome.requestHeaders,
    // Read back from what was sent: the sender's thread makes the span id (trace-headers.ts).
    traceParent: outcome.requestHeaders.traceparent ?? null,
  };
}
