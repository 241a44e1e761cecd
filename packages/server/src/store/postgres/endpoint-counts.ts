import type pg from "pg";
import type { CountsDelta } from "../endpoint-counts.ts";

// Rows of this connection's shard, in endpoint id order (the database's, whoever sorts the
// input), for endpoints that exist (migration 0013); an unchanged count still takes the row's
// lock: DO UPDATE writes it.
// "Exist" under a key-share lock: an endpoint's delete locks it FOR UPDATE before removing its
// rows, so a writer here waits for that delete to commit and then finds the endpoint gone.
// Without the lock it saw the endpoint still there and wrote a row after the delete had
// removed them (test/postgres-lock-order.test.ts). The triggers' own test needs no lock: every
// transaction that fires them has been through this statement first (lockCounts).
// The sort is inside, before the filter: the key-share locks are taken as rows pass it, so in
// id order too, as a transaction locking several endpoints FOR UPDATE takes them (reseal).
const ADD = `INSERT INTO endpoint_delivery_counts AS c (endpoint_id, shard, failed, skipped)
  SELECT u.id, pg_backend_pid() % 8, u.failed, u.skipped
  FROM (SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[]) AS n (id, failed, skipped)
        ORDER BY n.id) AS u
  WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = u.id FOR KEY SHARE)
  ON CONFLICT (endpoint_id, shard) DO UPDATE SET
    failed = c.failed + excluded.failed, skipped = c.skipped + excluded.skipped`;
const REMOVE = "DELETE FROM endpoint_delivery_counts WHERE endpoint_id = $1";

/** Adds to endpoints' counts in the caller's transaction (deliveries inserted failed or skipped). */
export async function addCounts(client: pg.PoolClient, deltas: readonly CountsDelta[]) {
  if (deltas.length === 0) return;
  await client.query({
    name: "endpoint-counts-add",
    text: ADD,
    values: [
      deltas.map((d) => d.endpointId),
      deltas.map((d) => d.failed),
      deltas.map((d) => d.skipped),
    ],
  });
}

/**
 * Locks this connection's count rows of these endpoints, in id order, before the caller's
 * transaction moves any of their deliveries into or out of failed/skipped: its triggers then
 * find them locked, and no two transactions take them in different orders (migration 0013).
 */
export function lockCounts(client: pg.PoolClient, endpointIds: Iterable<string>) {
  return addCounts(
    client,
    [...new Set(endpointIds)].map((endpointId) => ({ endpointId, failed: 0, skipped: 0 })),
  );
}

/** As `lockCounts`, for the endpoints of the deliveries a query names (`endpoint_id` column). */
export async function lockCountsOf(client: pg.PoolClient, deliveries: string, values: unknown[]) {
  const { rows } = await client.query<{ endpoint_id: string }>(deliveries, values);
  await lockCounts(
    client,
    rows.map((r) => r.endpoint_id),
  );
}

/** Its deliveries stay until retention; nothing reads their counts once the endpoint is gone. */
export async function removeCounts(client: pg.PoolClient, endpointId: string) {
  await client.query(REMOVE, [endpointId]);
}
