import type pg from "pg";
import {
  deltaValues,
  HISTOGRAM_BUCKETS,
  ROLLUP_COLUMNS,
  type RollupDelta,
  type RollupMinute,
  readRollupsSql,
  toRollupMinute,
} from "../rollups.ts";

// Adds a row's counts to the stored row's: what an upsert and the fold both do on conflict. A
// stored histogram stops at its last non-zero count (see trimmed below); two of them add up
// over the longer one's length, the shorter one's missing counts read as 0.
const ADD_ON_CONFLICT = `ON CONFLICT (scope, minute, shard) DO UPDATE SET
    ${ROLLUP_COLUMNS.map((c) => `${c} = rollups.${c} + excluded.${c}`).join(", ")},
    latency = ARRAY(SELECT coalesce(x.a, 0) + coalesce(x.b, 0)
                    FROM unnest(rollups.latency, excluded.latency) WITH ORDINALITY AS x (a, b, i)
                    ORDER BY x.i)`;

// Deltas arrive sorted by scope and minute (store/rollups.ts) and are inserted in that order,
// so two transactions lock shared rows alike. A tenant's rows go to this connection's shard.
const UPSERT = `INSERT INTO rollups (scope, minute, shard, ${ROLLUP_COLUMNS.join(", ")}, latency)
  SELECT r.scope, r.minute, CASE WHEN starts_with(r.scope, 'tn_') THEN pg_backend_pid() % 8 ELSE 0 END,
    ${ROLLUP_COLUMNS.map((c) => `r.${c}`).join(", ")}, r.latency
  FROM jsonb_to_recordset($1::jsonb)
    AS r (scope text, minute bigint, ${ROLLUP_COLUMNS.map((c) => `${c} integer`).join(", ")},
          latency integer[])
  ORDER BY r.scope, r.minute
  ${ADD_ON_CONFLICT}`;
// The histogram comes as the array's text ("{0,3,12,…}") and is read digit by digit: pg's
// array parser, then split and Number, were most of a day's chart (1,440 arrays of 51 counts).
// Counts past the stored ones stay 0.
const READ = readRollupsSql((n) => `$${n}`, "latency::text");
function unpack(text: string): Uint32Array {
  const counts = new Uint32Array(HISTOGRAM_BUCKETS);
  let bucket = 0;
  let n = 0;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n = n * 10 + (c - 48);
    else {
      // "," or the closing "}": the count ends.
      if (bucket < HISTOGRAM_BUCKETS) counts[bucket++] = n;
      n = 0;
    }
  }
  return counts;
}

/**
 * A histogram without its trailing zeros (at least one count, as the column holds arrays).
 * Turning each count into text is most of what PostgreSQL spends on a day's chart (1,440 rows),
 * and durations cluster: loopback attempts fill the first dozen buckets, an endpoint answering
 * in 20 to 320 ms stops at the 30th. Measured on 1,440 rows: 4.2 ms a read with 51 counts a
 * row, 2.9 with 30, 1.8 with 12.
 */
function trimmed(histogram: readonly number[]): number[] {
  let end = histogram.length;
  while (end > 1 && histogram[end - 1] === 0) end--;
  return histogram.slice(0, end);
}

/** Writes (inside the caller's transaction) and reads per-minute rollups. */
export async function addRollups(client: pg.PoolClient, deltas: readonly RollupDelta[]) {
  if (deltas.length === 0) return;
  const rows = deltas.map((d) => {
    const values = deltaValues(d);
    return Object.fromEntries([
      ["scope", d.scope],
      ["minute", d.minute],
      ...ROLLUP_COLUMNS.map((c, i) => [c, values[i]]),
      ["latency", trimmed(d.histogram)],
    ]);
  });
  await client.query({ name: "rollups-add", text: UPSERT, values: [JSON.stringify(rows)] });
}

export async function readRollups(
  pool: pg.Pool,
  scope: string,
  since: number,
  until: number,
): Promise<RollupMinute[]> {
  const { rows } = await pool.query<unknown[]>({
    name: "rollups-read",
    text: READ,
    values: [scope, since, until],
    rowMode: "array",
  });
  return rows.map((row) => toRollupMinute(row, unpack));
}

// Past minutes' shards folded into shard 0 (retention calls this every pass): a day's chart
// then reads one row a minute instead of up to 8, and the histogram arrays it sends and parses
// are most of its cost. Rows are locked in the recorder's order (scope, minute), so a late
// outcome upserting an old minute queues behind the fold instead of deadlocking with it; what
// lands on a shard after the fold is folded by the next pass.
const COMPACT = `WITH picked AS (
    SELECT scope, minute, shard FROM rollups
    WHERE shard <> 0 AND minute < $1
    ORDER BY scope, minute, shard LIMIT $2 FOR UPDATE),
  moved AS (
    DELETE FROM rollups r USING picked p
    WHERE r.scope = p.scope AND r.minute = p.minute AND r.shard = p.shard
    RETURNING r.scope, r.minute, ${ROLLUP_COLUMNS.map((c) => `r.${c}`).join(", ")}, r.latency),
  counts AS (
    SELECT scope, minute, ${ROLLUP_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(", ")}, count(*) AS n
    FROM moved GROUP BY scope, minute),
  buckets AS (
    SELECT scope, minute, u.i, sum(u.n) AS n
    FROM moved, unnest(latency) WITH ORDINALITY AS u (n, i) GROUP BY scope, minute, u.i),
  histograms AS (
    SELECT scope, minute, array_agg(n::integer ORDER BY i) AS latency FROM buckets GROUP BY scope, minute),
  folded AS (
    INSERT INTO rollups (scope, minute, shard, ${ROLLUP_COLUMNS.join(", ")}, latency)
    SELECT c.scope, c.minute, 0, ${ROLLUP_COLUMNS.map((c) => `c.${c}`).join(", ")}, h.latency
    FROM counts c JOIN histograms h USING (scope, minute)
    ORDER BY c.scope, c.minute
    ${ADD_ON_CONFLICT})
  SELECT coalesce(sum(n), 0)::integer AS folded FROM counts`;

export async function compactRollups(pool: pg.Pool, before: number, limit: number) {
  const { rows } = await pool.query<{ folded: number }>(COMPACT, [before, limit]);
  return rows[0]?.folded ?? 0;
}

export const PRUNE_ROLLUPS = "DELETE FROM rollups WHERE minute < $1";
