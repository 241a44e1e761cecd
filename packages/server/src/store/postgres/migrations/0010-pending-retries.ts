// Mirrors SQLite's 0010 (see sqlite/migrations/0010-pending-retries.ts): an endpoint's due
// retries are claimed before its first attempts, read through this index. Forward-only.
export const sql = `
CREATE INDEX deliveries_pending_retry ON deliveries (endpoint_id, next_attempt_at, seq)
  WHERE status = 'pending' AND attempt_count > 0;
`;
