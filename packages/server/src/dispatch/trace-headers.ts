import { childTraceParent, rootTraceParent } from "../trace/trace-context.ts";
import { newSpanId, newTraceId } from "../trace/trace-ids.ts";
import type { SendRequest } from "./outcome.ts";

/**
 * The W3C trace headers of one attempt (docs/observability.md, "Traces"): a span of its own,
 * a child of the event's ingest span, so every attempt of every delivery of an event is in the
 * ingest request's trace, each with its own span id; with no stored traceparent, a new trace.
 * Made in the sender (its thread): the cost is a few random bytes from a pool, and the attempt
 * row reads the header back from the outcome's request headers.
 */
export function traceHeaders(
  req: Pick<SendRequest, "traceParent" | "traceState">,
): Record<string, string> {
  const traceparent =
    req.traceParent == null
      ? rootTraceParent(newTraceId(), newSpanId())
      : childTraceParent(req.traceParent, newSpanId());
  return req.traceState == null ? { traceparent } : { traceparent, tracestate: req.traceState };
}
