// An endpoint's `failed` and `skipped` deliveries counted where its health report reads them in
// one row, instead of walking them (a retained failed history grows with the traffic: 20,000
// rows of one endpoint at 1,000,000 events made the report 2.3x slower). Forward-only.
//
// Kept exact in the transaction that changes a delivery, whichever statement does it:
// - a status change into or out of failed/skipped (recording outcomes, skipping, recovery, a
//   retry or a resend): the update trigger, whose WHEN lets every other change pass untouched
//   (the claim, a retry scheduled, a success);
// - a delete (retention): the delete trigger;
// - an insert already `failed` or `skipped` (ingest to a disabled endpoint): the ingest counts
//   those itself (sqlite/events.ts), as it does the event's `failing_deliveries`; an insert
//   trigger cost ingest 35 µs of CPU per event (migration 0006).
// An endpoint's deliveries outlive it (no foreign key), its counts do not: its delete removes
// them, and the triggers write only for an endpoint that exists.
//
// shard: always 0 here (one writer at a time); PostgreSQL spreads a row's writers over shards.
const parked = (d: string) => `${d}.status IN ('failed', 'skipped')`;
const upsert = (endpoint: string, failed: string, skipped: string) => `
  INSERT INTO endpoint_delivery_counts (endpoint_id, shard, failed, skipped)
    SELECT ${endpoint}, 0, ${failed}, ${skipped}
    WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = ${endpoint})
    ON CONFLICT (endpoint_id, shard) DO UPDATE SET
      failed = failed + excluded.failed, skipped = skipped + excluded.skipped;`;

export const sql = `
CREATE TABLE endpoint_delivery_counts (
  endpoint_id TEXT NOT NULL,
  shard       INTEGER NOT NULL,
  failed      INTEGER NOT NULL DEFAULT 0,
  skipped     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (endpoint_id, shard)
) WITHOUT ROWID;

INSERT INTO endpoint_delivery_counts (endpoint_id, shard, failed, skipped)
  SELECT d.endpoint_id, 0, SUM(d.status = 'failed'), SUM(d.status = 'skipped')
  FROM deliveries d
  WHERE ${parked("d")} AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id)
  GROUP BY d.endpoint_id;

CREATE TRIGGER deliveries_endpoint_counts_update AFTER UPDATE OF status ON deliveries
  WHEN OLD.status <> NEW.status AND (${parked("OLD")} OR ${parked("NEW")})
BEGIN
  ${upsert(
    "NEW.endpoint_id",
    "(NEW.status = 'failed') - (OLD.status = 'failed')",
    "(NEW.status = 'skipped') - (OLD.status = 'skipped')",
  )}
END;

CREATE TRIGGER deliveries_endpoint_counts_delete AFTER DELETE ON deliveries
  WHEN ${parked("OLD")}
BEGIN
  ${upsert("OLD.endpoint_id", "-(OLD.status = 'failed')", "-(OLD.status = 'skipped')")}
END;
`;
