import type Database from "better-sqlite3";
import type { StoreStats } from "../types.ts";
import { MIGRATIONS } from "./migrate.ts";

/**
 * Counting is capped: better-sqlite3 runs on the event loop, and an uncapped COUNT over a
 * backlog of millions would stall the API for tens of milliseconds at every scrape. 100,000 index
 * entries take a few milliseconds; past that the gauges read the cap, and the age of the oldest
 * due delivery (one index lookup, never capped) is the signal to alert on.
 */
export const STATS_COUNT_CAP = 100_000;

/** Read-only queries for /metrics and /readyz, each on an existing index. */
export function statsQueries(db: Database.Database) {
  const capped = (where: string) =>
    db.prepare(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM deliveries WHERE ${where} LIMIT ${STATS_COUNT_CAP})`,
    );
  const due = capped("status = 'pending' AND next_attempt_at <= ?");
  const scheduled = capped("status = 'pending' AND next_attempt_at > ?");
  const inFlight = capped("status = 'in_flight'");
  const oldestDue = db.prepare(
    "SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
  );
  // Few rows (one per endpoint) and a covering index on (tenant_id, status): cheap enough.
  const endpoints = db.prepare(
    "SELECT status, health, COUNT(*) AS n FROM endpoints GROUP BY status, health",
  );
  const count = (statement: Database.Statement, ...args: unknown[]) =>
    (statement.get(...args) as { n: number }).n;

  return {
    async stats(now: number): Promise<StoreStats> {
      const endpointsByState: Record<string, number> = {};
      for (const row of endpoints.all() as { status: string; health: string; n: number }[]) {
        const state = row.status === "enabled" ? row.health : row.status;
        endpointsByState[state] = (endpointsByState[state] ?? 0) + row.n;
      }
      return {
        dueDeliveries: count(due, now),
        scheduledDeliveries: count(scheduled, now),
        inFlightDeliveries: count(inFlight),
        oldestDueAt: (oldestDue.get(now) as { at: number | null }).at,
        endpointsByState,
      };
    },
    async schemaVersion() {
      return {
        applied: db.pragma("user_version", { simple: true }) as number,
        latest: MIGRATIONS.length,
      };
    },
  };
}
