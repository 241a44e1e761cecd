// Mirrors SQLite's 0011 (see sqlite/migrations/0011-trace-context.ts): the traceparent (and
// tracestate) an event's attempts continue, and the traceparent each attempt sent. Nullable,
// without a default: adding them rewrites no table. Forward-only.
export const sql = `
ALTER TABLE events ADD COLUMN trace_parent text;
ALTER TABLE events ADD COLUMN trace_state text;
ALTER TABLE attempts ADD COLUMN trace_parent text;
`;
