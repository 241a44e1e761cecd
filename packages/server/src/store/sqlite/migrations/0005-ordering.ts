// Ordered delivery per key (docs/ordering.md). Forward-only.
// An event may carry an ordering key; an endpoint with `ordering = 'per_key'` gets, for each
// keyed event, a delivery that carries the key and its position in the (endpoint, key)
// sequence: creation order, allocated from `ordering_keys` so that a sequence never restarts
// (retention prunes deliveries, never these rows: a receiver that saw n must never see 1 again).
export const sql = `
ALTER TABLE events ADD COLUMN ordering_key TEXT;
ALTER TABLE endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN sequence INTEGER;

CREATE TABLE ordering_keys (
  endpoint_id   TEXT NOT NULL,
  ordering_key  TEXT NOT NULL,
  last_sequence INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, ordering_key)
) WITHOUT ROWID;

-- The claim's per-key rule reads a key's open deliveries: is one in flight, is an earlier one
-- pending? Only keyed open rows: unordered endpoints write nothing to it.
CREATE INDEX deliveries_open_key ON deliveries (endpoint_id, ordering_key, sequence)
  WHERE ordering_key IS NOT NULL AND status IN ('pending', 'in_flight');
`;
