import type Database from "better-sqlite3";
import type { EndpointActivity } from "../types.ts";
import { LIMIT_PARAM } from "./limit.ts";

/** What an endpoint's health report reads: recent attempts, and open deliveries by status. */
export function activityQuery(db: Database.Database) {
  const attempts = db.prepare(`
    SELECT error_kind IS NULL AS ok, duration_ms FROM attempts
    WHERE endpoint_id = ? AND created_at >= ? ORDER BY created_at DESC ${LIMIT_PARAM}`);
  // Served by the partial index deliveries_endpoint_open: succeeded rows are not counted.
  const counts = db.prepare(`
    SELECT status, COUNT(*) AS n FROM deliveries
    WHERE endpoint_id = ? AND status IN ('pending', 'in_flight', 'failed', 'skipped')
    GROUP BY status`);

  return (endpointId: string, since: number, limit: number): EndpointActivity => {
    const recent = attempts.all(endpointId, since, limit) as { ok: number; duration_ms: number }[];
    const byStatus = new Map(
      (counts.all(endpointId) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
    return {
      attempts: recent.map((a) => ({ ok: a.ok === 1, durationMs: a.duration_ms })),
      deliveries: {
        pending: byStatus.get("pending") ?? 0,
        inFlight: byStatus.get("in_flight") ?? 0,
        failed: byStatus.get("failed") ?? 0,
        skipped: byStatus.get("skipped") ?? 0,
      },
    };
  };
}
