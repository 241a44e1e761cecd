// Endpoint health (the failure ladder), per-endpoint rate limits, and what recovery and the
// health report read. Mirrors SQLite's 0002. Forward-only: never edit once shipped.
export const sql = `
ALTER TABLE endpoints
  ADD COLUMN health text NOT NULL DEFAULT 'healthy',
  ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
  ADD COLUMN failing_since bigint,
  ADD COLUMN disable_at bigint,
  ADD COLUMN last_success_at bigint,
  ADD COLUMN last_failure_at bigint,
  ADD COLUMN rate_limit integer;

ALTER TABLE attempts ADD COLUMN endpoint_id text;
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, created_at);

-- Succeeded deliveries, the vast majority, are left out so the index stays small.
CREATE INDEX deliveries_endpoint_open ON deliveries (endpoint_id, status, created_at)
  WHERE status IN ('pending', 'in_flight', 'failed', 'skipped');
`;
