// Endpoint health (the failure ladder), per-endpoint rate limits, and what recovery and the
// health report read. Forward-only: never edit once shipped.
export const sql = `
ALTER TABLE endpoints ADD COLUMN health TEXT NOT NULL DEFAULT 'healthy';
ALTER TABLE endpoints ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN failing_since INTEGER;
ALTER TABLE endpoints ADD COLUMN disable_at INTEGER;
ALTER TABLE endpoints ADD COLUMN last_success_at INTEGER;
ALTER TABLE endpoints ADD COLUMN last_failure_at INTEGER;
ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER;

-- The health report reads an endpoint's recent attempts; attempts made before this migration
-- have no endpoint and simply age out of the window.
ALTER TABLE attempts ADD COLUMN endpoint_id TEXT;
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, created_at);

-- Counts for the health report and the rows recovery re-queues. Succeeded deliveries, the vast
-- majority, are left out so the index stays small and costs little on the delivery path.
CREATE INDEX deliveries_endpoint_open ON deliveries (endpoint_id, status, created_at)
  WHERE status IN ('pending', 'in_flight', 'failed', 'skipped');
`;
