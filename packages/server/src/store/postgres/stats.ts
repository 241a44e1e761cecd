import type pg from "pg";
import { STATS_COUNT_CAP } from "../sqlite/stats.ts";
import type { StoreStats } from "../types.ts";
import { appliedVersion, MIGRATIONS } from "./migrate.ts";

// Capped as on SQLite: a scrape must cost the same however large the backlog.
const capped = (where: string) =>
  `SELECT count(*) AS n FROM (SELECT 1 FROM deliveries WHERE ${where} LIMIT ${STATS_COUNT_CAP}) c`;
const STATS = `SELECT
  (${capped("status = 'pending' AND next_attempt_at <= $1")}) AS due,
  (${capped("status = 'pending' AND next_attempt_at > $1")}) AS scheduled,
  (${capped("status = 'in_flight'")}) AS in_flight,
  (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS oldest_due`;
const ENDPOINTS = "SELECT status, health, count(*) AS n FROM endpoints GROUP BY status, health";

/** Read-only queries for /metrics and /readyz, each on an existing index. */
export function statsQueries(pool: pg.Pool) {
  return {
    async stats(now: number): Promise<StoreStats> {
      const [counts, endpoints] = await Promise.all([
        pool.query<{
          due: number;
          scheduled: number;
          in_flight: number;
          oldest_due: number | null;
        }>({ name: "stats", text: STATS, values: [now] }),
        pool.query<{ status: string; health: string; n: number }>(ENDPOINTS),
      ]);
      const endpointsByState: Record<string, number> = {};
      for (const row of endpoints.rows) {
        const state = row.status === "enabled" ? row.health : row.status;
        endpointsByState[state] = (endpointsByState[state] ?? 0) + row.n;
      }
      const c = counts.rows[0]!;
      return {
        dueDeliveries: c.due,
        scheduledDeliveries: c.scheduled,
        inFlightDeliveries: c.in_flight,
        oldestDueAt: c.oldest_due,
        endpointsByState,
      };
    },
    async schemaVersion() {
      return { applied: await appliedVersion(pool), latest: MIGRATIONS.length };
    },
  };
}
