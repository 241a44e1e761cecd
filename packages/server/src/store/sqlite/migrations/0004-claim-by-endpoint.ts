// The claim takes the endpoints a node knows have due deliveries through this index: reading an
// endpoint's next due rows costs the rows taken, however long its backlog (the due index alone
// made each claim read four times its limit and rank them, ~190 µs per delivery on a backlog
// of 20,000). Only pending rows: it stays as small as the due index. Forward-only.
export const sql = `
CREATE INDEX deliveries_pending_endpoint ON deliveries (endpoint_id, next_attempt_at)
  WHERE status = 'pending';
`;
