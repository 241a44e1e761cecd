import type Database from "better-sqlite3";
import type { EndpointActivity } from "../types.ts";
import { endpointCountQueries } from "./endpoint-counts.ts";
import { LIMIT_PARAM } from "./limit.ts";

// Work still to do, read through the partial index deliveries_endpoint_open; the failed and
// skipped ones, which the retained history piles up, are counted in one row (migration 0013).
// SQLite uses a partial index only when the query repeats its WHERE term as written: without
// the four statuses it walked every delivery of the endpoint (181 ms at 1,000,000 events).
// Placed second, they leave the seeks to the two wanted (EXPLAIN: placed first, the seeks
// went through all four statuses' ranges and filtered).
export const OPEN_WORK = `
  SELECT status, COUNT(*) AS n FROM deliveries
  WHERE endpoint_id = ? AND status IN ('pending', 'in_flight')
    AND status IN ('pending', 'in_flight', 'failed', 'skipped')
  GROUP BY status`;

/** What an endpoint's health report reads: recent attempts, and open deliveries by status. */
export function activityQuery(db: Database.Database) {
  const attempts = db.prepare(`
    SELECT error_kind IS NULL AS ok, duration_ms FROM attempts
    WHERE endpoint_id = ? AND created_at >= ? ORDER BY created_at DESC ${LIMIT_PARAM}`);
  const open = db.prepare(OPEN_WORK);
  const counts = endpointCountQueries(db);

  return (endpointId: string, since: number, limit: number): EndpointActivity => {
    const recent = attempts.all(endpointId, since, limit) as { ok: number; duration_ms: number }[];
    const byStatus = new Map(
      (open.all(endpointId) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
    const parked = counts.read(endpointId);
    return {
      attempts: recent.map((a) => ({ ok: a.ok === 1, durationMs: a.duration_ms })),
      deliveries: {
        pending: byStatus.get("pending") ?? 0,
        inFlight: byStatus.get("in_flight") ?? 0,
        failed: parked.failed,
        skipped: parked.skipped,
      },
    };
  };
}
