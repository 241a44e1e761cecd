// W3C trace context (docs/observability.md, "Traces"). Forward-only. `events.trace_parent`: the
// traceparent of the event's ingest, which its attempts continue (in the ingest request's trace,
// or a new one), with the request's `trace_state`; NULL on events stored before this (their
// attempts start traces of their own). The claim reads both with the payload, from the row it
// already joins. `attempts.trace_parent`: the traceparent the attempt sent; NULL when nothing
// was sent.
export const sql = `
ALTER TABLE events ADD COLUMN trace_parent TEXT;
ALTER TABLE events ADD COLUMN trace_state TEXT;
ALTER TABLE attempts ADD COLUMN trace_parent TEXT;
`;
