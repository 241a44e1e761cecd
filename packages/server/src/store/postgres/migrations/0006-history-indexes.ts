// History that costs nothing (see sqlite/migrations/0006-history-indexes.ts). Forward-only.
// The trigger is row-level with a WHEN, so a delivery that does not cross the failing line
// never enters PL/pgSQL. Two recorders crossing it for deliveries of the same events would lock
// those event rows in whatever order their statements reach them: record-results.ts locks them
// first, in id order (see LOCK_EVENTS). As on SQLite, the event's insert counts the deliveries
// inserted with it (postgres/events.ts), so no insert trigger.
const failing = (d: string) =>
  `(${d}.status = 'failed' OR (${d}.status IN ('pending', 'in_flight') AND ${d}.attempt_count > 0))`;

export const sql = `
ALTER TABLE events ADD COLUMN failing_deliveries integer NOT NULL DEFAULT 0;
UPDATE events e SET failing_deliveries = f.n
  FROM (SELECT d.event_id, count(*) AS n FROM deliveries d WHERE ${failing("d")} GROUP BY d.event_id) f
  WHERE e.id = f.event_id;

DROP INDEX events_tenant_type;
CREATE INDEX events_tenant_created ON events (tenant_id, created_at, seq);
CREATE INDEX events_tenant_type ON events (tenant_id, type, created_at, seq);
CREATE INDEX events_failing ON events (tenant_id, created_at, seq) WHERE failing_deliveries > 0;

DROP INDEX deliveries_event;
CREATE INDEX deliveries_event ON deliveries (event_id, seq);
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, seq);
CREATE INDEX deliveries_tenant_status ON deliveries (tenant_id, status, seq);

CREATE INDEX endpoints_tenant_seq ON endpoints (tenant_id, seq);

CREATE FUNCTION deliveries_count_failing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events SET failing_deliveries = failing_deliveries
      - (CASE WHEN ${failing("OLD")} THEN 1 ELSE 0 END)
      + (CASE WHEN ${failing("NEW")} THEN 1 ELSE 0 END)
    WHERE id = NEW.event_id;
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_failing_update AFTER UPDATE OF status, attempt_count ON deliveries
  FOR EACH ROW WHEN (${failing("OLD")} IS DISTINCT FROM ${failing("NEW")})
  EXECUTE FUNCTION deliveries_count_failing();

-- scope: a tenant id (its events and attempts) or an endpoint id (its attempts); minute: the
-- minute's start, unix ms.
-- shard: a tenant's rows are written by every ingest and every recorder of the tenant; each
-- connection writes its own shard (its backend pid, modulo 8) so they do not queue on one row
-- lock. An endpoint's rows are written under its row lock (record-results.ts): shard 0.
CREATE TABLE rollups (
  scope           TEXT NOT NULL,
  minute          bigint NOT NULL,
  shard           integer NOT NULL,
  events          integer NOT NULL DEFAULT 0,
  attempts_ok     integer NOT NULL DEFAULT 0,
  attempts_failed integer NOT NULL DEFAULT 0,
  -- The latency histogram (store/rollups.ts): 51 counts.
  latency         integer[] NOT NULL,
  PRIMARY KEY (scope, minute, shard)
);
-- Retention deletes by minute.
CREATE INDEX rollups_minute ON rollups (minute);
`;
