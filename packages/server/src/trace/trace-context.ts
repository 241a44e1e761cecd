// W3C Trace Context (https://www.w3.org/TR/trace-context/), the two headers a delivery carries:
// `traceparent: 00-<trace id: 32 hex>-<parent id: 16 hex>-<flags: 2 hex>` and `tracestate`,
// a vendor list passed on untouched. Pure: ids come from the caller (trace/trace-ids.ts).

/** The trace an event's deliveries continue: a valid `traceparent`, and `tracestate` if any. */
export interface TraceContext {
  /** `00-<trace id>-<parent id>-<flags>`, normalized to version 00. */
  parent: string;
  state: string | null;
}

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
// Lowercase hex only: §3.2.2 makes uppercase invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The incoming `traceparent`, or undefined when absent or invalid: an invalid one is ignored and
 * a new trace starts (§3.2.2, §4.3), never an error. A later version is read by its first four
 * fields (§3.2.4: what follows must start with `-`); version 00 must be exactly those.
 */
export function parseTraceParent(value: string | string[] | undefined): string | undefined {
  // Several traceparent headers cannot be told apart: invalid, like a malformed one.
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return `00-${traceId}-${parentId}-${flags}`;
}

const MAX_MEMBERS = 32;
// §3.3.1.3: key = simple-key / tenant@system; value = printable ASCII but `,` and `=`, not
// ending in a space.
const MEMBER =
  /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * The incoming `tracestate`, as passed on: several headers joined (§3.3.1.1), empty members
 * dropped. Undefined when absent, or when a member is malformed or there are more than 32: a
 * list we cannot parse is not propagated (§3.3.1.4), and what is sent must be a valid header.
 */
export function parseTraceState(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const members: string[] = [];
  for (const part of (typeof value === "string" ? value : value.join(",")).split(",")) {
    const member = part.trim();
    if (member === "") continue;
    if (!MEMBER.test(member) || members.length === MAX_MEMBERS) return undefined;
    members.push(member);
  }
  return members.length === 0 ? undefined : members.join(",");
}

/**
 * The trace context of an ingest request's headers: its traceparent when valid, with its
 * tracestate; undefined otherwise (a tracestate without a valid traceparent is dropped, §3.3.1).
 */
export function incomingTrace(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): TraceContext | undefined {
  const parent = parseTraceParent(headers.traceparent);
  if (parent === undefined) return undefined;
  return { parent, state: parseTraceState(headers.tracestate) ?? null };
}

/**
 * The `traceparent` of a child span of `parent` (an event's stored one): same trace id, the new
 * span id, and the sampled flag kept (the only flag version 00 defines that we pass on).
 */
export function childTraceParent(parent: string, spanId: string): string {
  const sampled = Number.parseInt(parent.slice(53, 55), 16) & 1;
  return `00-${parent.slice(3, 35)}-${spanId}-0${sampled}`;
}

/**
 * The `traceparent` of a new trace. Sampled: Hookline records every attempt (the attempt row
 * is the record), so a receiver tracing by its parent's decision keeps its side too.
 */
export function rootTraceParent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}
