import type pg from "pg";
import type { EndpointActivity } from "../types.ts";

const ATTEMPTS = `SELECT error_kind IS NULL AS ok, duration_ms FROM attempts
  WHERE endpoint_id = $1 AND created_at >= $2 ORDER BY created_at DESC LIMIT $3`;
// Served by the partial index deliveries_endpoint_open: succeeded rows are not counted.
const COUNTS = `SELECT status, count(*) AS n FROM deliveries
  WHERE endpoint_id = $1 AND status IN ('pending', 'in_flight', 'failed', 'skipped')
  GROUP BY status`;

/** What an endpoint's health report reads: recent attempts, and open deliveries by status. */
export function activityQuery(pool: pg.Pool) {
  return async (endpointId: string, since: number, limit: number): Promise<EndpointActivity> => {
    const [recent, counts] = await Promise.all([
      pool.query<{ ok: boolean; duration_ms: number }>(ATTEMPTS, [endpointId, since, limit]),
      pool.query<{ status: string; n: number }>(COUNTS, [endpointId]),
    ]);
    const byStatus = new Map(counts.rows.map((r) => [r.status, r.n]));
    return {
      attempts: recent.rows.map((a) => ({ ok: a.ok, durationMs: a.duration_ms })),
      deliveries: {
        pending: byStatus.get("pending") ?? 0,
        inFlight: byStatus.get("in_flight") ?? 0,
        failed: byStatus.get("failed") ?? 0,
        skipped: byStatus.get("skipped") ?? 0,
      },
    };
  };
}
