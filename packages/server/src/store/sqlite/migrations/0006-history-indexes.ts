// History that costs nothing: every list of events and deliveries on an index that ends with its
// order, and the answer to `delivery_success=false` kept on the event. Forward-only.
//
// `failing_deliveries` counts an event's deliveries that failed for good or are being retried
// after a failed attempt. Triggers keep it in the transaction that changes a delivery, whichever
// statement does (recording outcomes, skipping, cancelling, a manual retry); they write to the
// event only when a delivery crosses that line, so a first attempt that succeeds costs one
// WHEN test. No insert trigger: a delivery is inserted with no attempt, so it counts only if
// inserted `failed`, and the event's insert counts those itself (sqlite/events.ts). An insert
// trigger cost ingest 35 µs of CPU per event: any trigger makes a one-row INSERT a multi-row
// write, which copies every page it touches into a statement journal. Deliveries are deleted
// only with their event (retention): no delete trigger.
const failing = (d: string) =>
  `(${d}.status = 'failed' OR (${d}.status IN ('pending', 'in_flight') AND ${d}.attempt_count > 0))`;

export const sql = `
ALTER TABLE events ADD COLUMN failing_deliveries INTEGER NOT NULL DEFAULT 0;
UPDATE events SET failing_deliveries =
    (SELECT COUNT(*) FROM deliveries d WHERE d.event_id = events.id AND ${failing("d")})
  WHERE id IN (SELECT d.event_id FROM deliveries d WHERE ${failing("d")});

DROP INDEX events_tenant_type;
CREATE INDEX events_tenant_created ON events (tenant_id, created_at, seq);
CREATE INDEX events_tenant_type ON events (tenant_id, type, created_at, seq);
CREATE INDEX events_failing ON events (tenant_id, created_at, seq) WHERE failing_deliveries > 0;

DROP INDEX deliveries_event;
CREATE INDEX deliveries_event ON deliveries (event_id, seq);
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, seq);
CREATE INDEX deliveries_tenant_status ON deliveries (tenant_id, status, seq);

CREATE INDEX endpoints_tenant_seq ON endpoints (tenant_id, seq);

CREATE TRIGGER deliveries_failing_update AFTER UPDATE OF status, attempt_count ON deliveries
  WHEN ${failing("OLD")} <> ${failing("NEW")}
BEGIN
  UPDATE events SET failing_deliveries = failing_deliveries + (CASE WHEN ${failing("NEW")} THEN 1 ELSE -1 END)
    WHERE id = NEW.event_id;
END;

-- scope: a tenant id (its events and attempts) or an endpoint id (its attempts); minute: the
-- minute's start, unix ms.
-- shard: always 0 here (one writer at a time).
CREATE TABLE rollups (
  scope           TEXT NOT NULL,
  minute          INTEGER NOT NULL,
  shard           INTEGER NOT NULL,
  events          INTEGER NOT NULL DEFAULT 0,
  attempts_ok     INTEGER NOT NULL DEFAULT 0,
  attempts_failed INTEGER NOT NULL DEFAULT 0,
  -- The latency histogram (store/rollups.ts): 51 little-endian uint32 counts.
  latency         BLOB NOT NULL,
  PRIMARY KEY (scope, minute, shard)
) WITHOUT ROWID;
-- Retention deletes by minute.
CREATE INDEX rollups_minute ON rollups (minute);
`;
