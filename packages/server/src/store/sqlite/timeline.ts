import type Database from "better-sqlite3";
import { emptyBuckets } from "../rollups.ts";
import type { Timeline, TimelineQuery } from "../types.ts";

/**
 * Per-bucket counts for the dashboard's charts, each read through an existing index so a chart
 * costs the rows of its window, not of the table:
 * - events: `seq` grows with time, so a binary search over the rowid (a few dozen point reads)
 *   finds the window's first event, and the count walks the rowid from there;
 * - attempts: the (endpoint_id, created_at) index, one range per endpoint of the tenant.
 * (Parameters arrive as REAL from JavaScript numbers, hence the CAST to get a bucket index.)
 * p95 is nearest-rank within each bucket, computed by SQLite (a window function), so no
 * duration crosses into JavaScript.
 */
export function timelineQuery(db: Database.Database) {
  const bounds = db.prepare("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM events");
  const firstFrom = db.prepare(
    "SELECT seq, created_at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1",
  );
  const events = db.prepare(`
    SELECT CAST((created_at - :since) / :bucket AS INTEGER) AS b, COUNT(*) AS n FROM events
    WHERE seq >= :from AND tenant_id = :tenant AND created_at >= :since AND created_at < :until
    GROUP BY b`);
  const attemptsOf = (scope: string) =>
    db.prepare(`
    WITH a AS (
      SELECT CAST((created_at - :since) / :bucket AS INTEGER) AS b, error_kind IS NULL AS ok, duration_ms FROM attempts
      WHERE ${scope} AND created_at >= :since AND created_at < :until
    ), ranked AS (
      SELECT b, ok, duration_ms,
        ROW_NUMBER() OVER (PARTITION BY b ORDER BY duration_ms) AS rn,
        COUNT(*) OVER (PARTITION BY b) AS n
      FROM a
    )
    SELECT b, MAX(n) AS n, SUM(ok) AS ok,
      MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN duration_ms END) AS p95
    FROM ranked GROUP BY b`);
  const overallOf = (scope: string) =>
    db.prepare(`
    WITH ranked AS (
      SELECT duration_ms, ROW_NUMBER() OVER (ORDER BY duration_ms) AS rn, COUNT(*) OVER () AS n
      FROM attempts WHERE ${scope} AND created_at >= :since AND created_at < :until
    )
    SELECT duration_ms AS p95 FROM ranked WHERE rn = (n * 95 + 99) / 100`);
  const ofTenant = "endpoint_id IN (SELECT id FROM endpoints WHERE tenant_id = :tenant)";
  const ofEndpoint = `endpoint_id = :endpoint AND ${ofTenant}`;
  const tenantAttempts = attemptsOf(ofTenant);
  const endpointAttempts = attemptsOf(ofEndpoint);
  const tenantP95 = overallOf(ofTenant);
  const endpointP95 = overallOf(ofEndpoint);

  /** The smallest seq whose event is at or after `since` (approximately: clocks may step). */
  function firstSeqAt(since: number): number {
    const { lo, hi } = bounds.get() as { lo: number | null; hi: number | null };
    if (lo === null || hi === null) return 0;
    let low = lo;
    let high = hi + 1;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const row = firstFrom.get(mid) as { seq: number; created_at: number } | undefined;
      if (row === undefined || row.created_at >= since) high = mid;
      else low = row.seq + 1;
    }
    return low;
  }

  return (query: TimelineQuery): Timeline => {
    const buckets = emptyBuckets(query);
    const params = {
      tenant: query.tenantId,
      since: query.since,
      until: query.until,
      bucket: query.bucketMs,
    };
    if (query.endpointId === undefined) {
      const rows = events.all({ ...params, from: firstSeqAt(query.since) }) as {
        b: number;
        n: number;
      }[];
      for (const row of rows) {
        const bucket = buckets[row.b];
        if (bucket !== undefined) bucket.events = row.n;
      }
    }
    const scoped =
      query.endpointId === undefined ? params : { ...params, endpoint: query.endpointId };
    const [perBucket, overall] =
      query.endpointId === undefined
        ? [tenantAttempts, tenantP95]
        : [endpointAttempts, endpointP95];
    const attempts = perBucket.all(scoped) as {
      b: number;
      n: number;
      ok: number;
      p95: number | null;
    }[];
    for (const row of attempts) {
      const bucket = buckets[row.b];
      if (bucket === undefined) continue;
      bucket.attemptsOk = row.ok;
      bucket.attemptsFailed = row.n - row.ok;
      bucket.p95Ms = row.p95;
    }
    const p95 = overall.get(scoped) as { p95: number } | undefined;
    return { buckets, p95Ms: p95?.p95 ?? null };
  };
}
