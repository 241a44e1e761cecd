// Mirrors SQLite's 0008 (see sqlite/migrations/0008-ordering-hold.ts). Forward-only. No change
// to the key's mutex: a held key's head is failed, not in flight, so `ordering_keys.running` is
// already clear; the claim's per-key rule reads `holding` from the statement's snapshot, which is
// safe because a row leaves the held state only by a user's retry or recovery, into `pending`,
// which holds its key as well.
export const sql = `
ALTER TABLE endpoints ADD COLUMN ordering_on_exhausted text NOT NULL DEFAULT 'skip';
ALTER TABLE deliveries ADD COLUMN holding boolean NOT NULL DEFAULT false;
CREATE INDEX deliveries_holding_key ON deliveries (endpoint_id, ordering_key, sequence)
  WHERE holding AND status = 'failed';
`;
