import type pg from "pg";
import { emptyBuckets } from "../rollups.ts";
import type { Timeline, TimelineQuery } from "../types.ts";

const BOUNDS = "SELECT min(seq) AS lo, max(seq) AS hi FROM events";
const FIRST_FROM = "SELECT seq, created_at FROM events WHERE seq >= $1 ORDER BY seq LIMIT 1";
const EVENTS = `SELECT (created_at - $2::bigint) / $4::bigint AS b, count(*) AS n FROM events
  WHERE seq >= $5 AND tenant_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY b`;
const OF_TENANT = "endpoint_id IN (SELECT id FROM endpoints WHERE tenant_id = $1)";
// percentile_disc(0.95) is the nearest rank, ceil(0.95 n), as SQLite's window computes it.
const attemptsOf = (scope: string) => `
  SELECT (created_at - $2::bigint) / $4::bigint AS b, count(*) AS n,
         count(*) FILTER (WHERE error_kind IS NULL) AS ok,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
  FROM attempts WHERE ${scope} AND created_at >= $2 AND created_at < $3 GROUP BY b`;
// `$4` (the bucket) is named only so both queries take the same parameters.
const overallOf = (scope: string) => `
  SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
  FROM attempts WHERE ${scope} AND created_at >= $2 AND created_at < $3 AND $4::bigint > 0`;

/**
 * Per-bucket counts for the dashboard's charts (see sqlite/timeline.ts): events found from the
 * first `seq` of the window by binary search, attempts through (endpoint_id, created_at).
 */
export function timelineQuery(pool: pg.Pool) {
  async function firstSeqAt(since: number): Promise<number> {
    const { lo, hi } = (await pool.query<{ lo: number | null; hi: number | null }>(BOUNDS))
      .rows[0]!;
    if (lo === null || hi === null) return 0;
    let low = lo;
    let high = hi + 1;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const row = (await pool.query<{ seq: number; created_at: number }>(FIRST_FROM, [mid]))
        .rows[0];
      if (row === undefined || row.created_at >= since) high = mid;
      else low = row.seq + 1;
    }
    return low;
  }

  return async (query: TimelineQuery): Promise<Timeline> => {
    const buckets = emptyBuckets(query);
    const params = [query.tenantId, query.since, query.until, query.bucketMs];
    if (query.endpointId === undefined) {
      const from = await firstSeqAt(query.since);
      const { rows } = await pool.query<{ b: number; n: number }>(EVENTS, [...params, from]);
      for (const row of rows) {
        const bucket = buckets[row.b];
        if (bucket !== undefined) bucket.events = row.n;
      }
    }
    const scope = query.endpointId === undefined ? OF_TENANT : `endpoint_id = $5 AND ${OF_TENANT}`;
    const scoped = query.endpointId === undefined ? params : [...params, query.endpointId];
    const [perBucket, overall] = await Promise.all([
      pool.query<{ b: number; n: number; ok: number; p95: number | null }>(
        attemptsOf(scope),
        scoped,
      ),
      pool.query<{ p95: number | null }>(overallOf(scope), scoped),
    ]);
    for (const row of perBucket.rows) {
      const bucket = buckets[row.b];
      if (bucket === undefined) continue;
      bucket.attemptsOk = row.ok;
      bucket.attemptsFailed = row.n - row.ok;
      bucket.p95Ms = row.p95;
    }
    return { buckets, p95Ms: overall.rows[0]?.p95 ?? null };
  };
}
