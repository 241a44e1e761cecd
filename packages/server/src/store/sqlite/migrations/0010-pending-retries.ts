// The claim takes an endpoint's due retries before its first attempts (store/sqlite/deliveries.ts),
// through this index: pending rows attempted before, by endpoint and due time. It holds only
// the retries waiting, so a backlog of first attempts costs it nothing. Forward-only.
export const sql = `
CREATE INDEX deliveries_pending_retry ON deliveries (endpoint_id, next_attempt_at)
  WHERE status = 'pending' AND attempt_count > 0;
`;
