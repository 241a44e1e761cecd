// An endpoint's `failed` and `skipped` deliveries counted (see
// sqlite/migrations/0013-endpoint-delivery-counts.ts for what keeps them exact). Forward-only.
//
// shard: the writing connection's backend pid modulo 8, as for a tenant's rollups (migration
// 0006): ingest to a disabled endpoint adds a skipped delivery in every commit of every node,
// and on one row those commits would queue on its lock until each one's WAL flush; the report
// sums the shards. The row lock is still taken, so it is taken first: a transaction that moves
// deliveries across the line locks its rows of the endpoints concerned, in endpoint id order,
// before it writes any delivery (endpoint-counts.ts), and the trigger then finds them locked.
// Without that, a resend (deliveries, then counts) and a retention batch (the same counts, then
// the same deliveries) could each wait for the other.
//
// The backfill and the triggers under one lock of deliveries, taken first: a node still on the
// old schema during a rolling upgrade (no triggers) could otherwise park a delivery after the
// backfill's snapshot and before the triggers exist, and that count would be missing for good.
// SHARE ROW EXCLUSIVE waits for the writers in progress and holds off new ones until this
// transaction commits; readers go on. (Added after the migration was first written: the schema
// it leaves is the same.)
const parked = (d: string) => `${d}.status IN ('failed', 'skipped')`;

export const sql = `
LOCK TABLE deliveries IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE endpoint_delivery_counts (
  endpoint_id text NOT NULL,
  shard       integer NOT NULL,
  failed      integer NOT NULL DEFAULT 0,
  skipped     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (endpoint_id, shard)
);

INSERT INTO endpoint_delivery_counts (endpoint_id, shard, failed, skipped)
  SELECT d.endpoint_id, 0, count(*) FILTER (WHERE d.status = 'failed'),
    count(*) FILTER (WHERE d.status = 'skipped')
  FROM deliveries d
  WHERE ${parked("d")} AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id)
  GROUP BY d.endpoint_id;

CREATE FUNCTION deliveries_count_by_endpoint() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  endpoint text := OLD.endpoint_id;
  d_failed integer := -(OLD.status = 'failed')::integer;
  d_skipped integer := -(OLD.status = 'skipped')::integer;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    d_failed := d_failed + (NEW.status = 'failed')::integer;
    d_skipped := d_skipped + (NEW.status = 'skipped')::integer;
  END IF;
  INSERT INTO endpoint_delivery_counts AS c (endpoint_id, shard, failed, skipped)
    SELECT endpoint, pg_backend_pid() % 8, d_failed, d_skipped
    WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = endpoint)
    ON CONFLICT (endpoint_id, shard) DO UPDATE SET
      failed = c.failed + excluded.failed, skipped = c.skipped + excluded.skipped;
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_endpoint_counts_update AFTER UPDATE OF status ON deliveries
  FOR EACH ROW WHEN (OLD.status <> NEW.status AND (${parked("OLD")} OR ${parked("NEW")}))
  EXECUTE FUNCTION deliveries_count_by_endpoint();
CREATE TRIGGER deliveries_endpoint_counts_delete AFTER DELETE ON deliveries
  FOR EACH ROW WHEN (${parked("OLD")})
  EXECUTE FUNCTION deliveries_count_by_endpoint();
`;
