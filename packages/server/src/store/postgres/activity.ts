import type pg from "pg";
import type { EndpointActivity } from "../types.ts";

const ATTEMPTS = `SELECT error_kind IS NULL AS ok, duration_ms FROM attempts
  WHERE endpoint_id = $1 AND created_at >= $2 ORDER BY created_at DESC LIMIT $3`;
// Work still to do is counted from the partial index deliveries_endpoint_open. The failed and
// skipped deliveries, which the retained history piles up, are counted in a row per shard
// (migration 0013).
const DELIVERIES = `SELECT
    (SELECT count(*) FROM deliveries WHERE endpoint_id = $1 AND status = 'pending') AS pending,
    (SELECT count(*) FROM deliveries WHERE endpoint_id = $1 AND status = 'in_flight') AS in_flight,
    c.failed, c.skipped
  FROM (SELECT coalesce(sum(failed), 0)::integer AS failed, coalesce(sum(skipped), 0)::integer AS skipped
        FROM endpoint_delivery_counts WHERE endpoint_id = $1) c`;

/** What an endpoint's health report reads: recent attempts, and open deliveries by status. */
export function activityQuery(pool: pg.Pool) {
  return async (endpointId: string, since: number, limit: number): Promise<EndpointActivity> => {
    const [recent, deliveries] = await Promise.all([
      pool.query<{ ok: boolean; duration_ms: number }>(ATTEMPTS, [endpointId, since, limit]),
      pool.query<{ pending: number; in_flight: number; failed: number; skipped: number }>({
        name: "endpoint-activity-deliveries",
        text: DELIVERIES,
        values: [endpointId],
      }),
    ]);
    const d = deliveries.rows[0]!;
    return {
      attempts: recent.rows.map((a) => ({ ok: a.ok, durationMs: a.duration_ms })),
      deliveries: {
        pending: d.pending,
        inFlight: d.in_flight,
        failed: d.failed,
        skipped: d.skipped,
      },
    };
  };
}
