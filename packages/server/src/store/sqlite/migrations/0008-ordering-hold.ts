// What a per_key endpoint does when the head of a key exhausts its retries (docs/ordering.md).
// Forward-only. `ordering_on_exhausted`: 'skip' (the key goes on with the next) or 'hold'.
// `holding` marks a failed delivery that exhausted under 'hold': while it stays failed and its
// endpoint still says 'hold', the claim takes nothing later of its key. Only such rows enter the
// index the claim probes, so endpoints that skip pay nothing.
export const sql = `
ALTER TABLE endpoints ADD COLUMN ordering_on_exhausted TEXT NOT NULL DEFAULT 'skip';
ALTER TABLE deliveries ADD COLUMN holding INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_holding_key ON deliveries (endpoint_id, ordering_key, sequence)
  WHERE holding = 1 AND status = 'failed';
`;
