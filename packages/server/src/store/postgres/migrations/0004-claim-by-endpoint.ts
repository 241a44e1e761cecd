// The claim takes the endpoints a node knows have due deliveries through this index: reading an
// endpoint's next due rows costs the rows taken, however long its backlog. Only pending rows:
// it stays as small as the due index. Mirrors SQLite's 0004. Forward-only.
export const sql = `
CREATE INDEX deliveries_pending_endpoint ON deliveries (endpoint_id, next_attempt_at, seq)
  WHERE status = 'pending';
`;
