import type { AttemptResult, EventRow, Timeline, TimelineBucket, TimelineQuery } from "./types.ts";

/**
 * Per-minute rollups: what the dashboard's charts (`GET /v1/stats`) read instead of the events
 * and attempts themselves, so a chart costs its minutes, not the rows behind them. One row per
 * scope and minute (and, on PostgreSQL, per shard: see below): a tenant's events and attempts
 * under its id, an endpoint's attempts under its id. Written in the transaction that writes the
 * rows they count (ingest, the recorder), deleted by retention with the rows.
 *
 * Attempt durations go into a histogram whose bucket `i` holds durations ≤ LATENCY_BOUNDS[i]
 * (the last holds the rest), ten steps a decade. The p95 read from it is the upper bound of the
 * bucket holding the nearest-rank p95 of the raw durations: exact to within one step (at most
 * a third over), which a chart cannot show anyway. A p95 above the last bound reads as that bound.
 */
export const MINUTE = 60_000;

const STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8];
export const LATENCY_BOUNDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
  .concat([10, 100, 1000, 10_000].flatMap((decade) => STEPS.map((s) => s * decade)))
  .concat([100_000]);
/** The histogram's buckets: one per bound, and one past them (stored rows hold this many). */
export const HISTOGRAM_BUCKETS = LATENCY_BOUNDS.length + 1;
if (HISTOGRAM_BUCKETS !== 51) throw new Error("rollups: stored histograms have 51 buckets");
const emptyHistogram = () => new Array<number>(HISTOGRAM_BUCKETS).fill(0);

/** The histogram bucket of a duration. */
export function latencyBucket(ms: number): number {
  let low = 0;
  let high = LATENCY_BOUNDS.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ms <= LATENCY_BOUNDS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** What one bucket reads as: its upper bound (the last, past every bound, reads as the last). */
export const bucketValue = (bucket: number) =>
  LATENCY_BOUNDS[Math.min(bucket, LATENCY_BOUNDS.length - 1)]!;

/** What a transaction adds to one rollup row. */
export interface RollupDelta {
  scope: string;
  minute: number;
  events: number;
  ok: number;
  failed: number;
  histogram: number[];
}

const minuteOf = (at: number) => Math.floor(at / MINUTE) * MINUTE;

function deltas() {
  const rows = new Map<string, RollupDelta>();
  const at = (scope: string, time: number) => {
    const minute = minuteOf(time);
    const key = `${scope} ${minute}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        scope,
        minute,
        events: 0,
        ok: 0,
        failed: 0,
        histogram: emptyHistogram(),
      };
      rows.set(key, row);
    }
    return row;
  };
  // Sorted by scope then minute: PostgreSQL upserts lock rows in this order, so two
  // transactions writing the same rows queue instead of deadlocking.
  const sorted = () =>
    [...rows.values()].sort((a, b) =>
      a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.minute - b.minute,
    );
  return { at, sorted };
}

/** Events created, per tenant and minute. */
export function eventDeltas(events: readonly EventRow[]): RollupDelta[] {
  const d = deltas();
  for (const e of events) d.at(e.tenantId, e.createdAt).events++;
  return d.sorted();
}

/**
 * Attempts per endpoint and per tenant, by minute: outcome and duration. An attempt of an
 * endpoint that no longer exists counts nowhere (`tenantOf` answers undefined), as the raw
 * computation (sqlite/timeline.ts) reads attempts through the tenant's endpoints.
 */
export function attemptDeltas(
  results: readonly AttemptResult[],
  tenantOf: (endpointId: string) => string | undefined,
): RollupDelta[] {
  const d = deltas();
  for (const r of results) {
    const tenant = tenantOf(r.endpointId);
    if (tenant === undefined) continue;
    const bucket = latencyBucket(r.attempt.durationMs);
    for (const scope of [tenant, r.endpointId]) {
      const row = d.at(scope, r.attempt.createdAt);
      if (r.attempt.errorKind === null) row.ok++;
      else row.failed++;
      row.histogram[bucket]!++;
    }
  }
  return d.sorted();
}

/** A stored minute of one shard: its counts and histogram. */
export interface RollupMinute {
  minute: number;
  events: number;
  ok: number;
  failed: number;
  histogram: ArrayLike<number>;
}

/** Whether rollups can answer: buckets of whole minutes, starting on a minute. */
export const rollupsAnswer = (q: TimelineQuery) =>
  q.since % MINUTE === 0 && q.bucketMs % MINUTE === 0 && q.bucketMs > 0;

/** Nearest-rank p95 of a histogram, as bucketValue reads it; null when empty. */
function p95(histogram: ArrayLike<number>): number | null {
  let n = 0;
  for (let i = 0; i < histogram.length; i++) n += histogram[i]!;
  if (n === 0) return null;
  const rank = Math.ceil(n * 0.95);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= rank) return bucketValue(i);
  }
  return null;
}

/** Every bucket of a query's window, oldest first, counting nothing yet. */
export function emptyBuckets(query: TimelineQuery): TimelineBucket[] {
  const count = Math.ceil((query.until - query.since) / query.bucketMs);
  return Array.from({ length: count }, (_, i) => ({
    start: query.since + i * query.bucketMs,
    events: 0,
    attemptsOk: 0,
    attemptsFailed: 0,
    p95Ms: null,
  }));
}

/**
 * The timeline of a query from its minutes (the tenant's, or the endpoint's). A day's chart
 * folds 1,440 minutes of 51 latency counts: plain loops over one flat array of every bucket's
 * histogram, since closures and an array per bucket made this most of `/v1/stats`'s time
 * (SQLite, a day of minutes: 8.6 / 16 ms p50 / p95 a call before, with the unpacking below).
 */
export function timelineFromRollups(
  query: TimelineQuery,
  minutes: readonly RollupMinute[],
): Timeline {
  const buckets = emptyBuckets(query);
  const histograms = new Float64Array(buckets.length * HISTOGRAM_BUCKETS);
  const overall = new Float64Array(HISTOGRAM_BUCKETS);
  for (const m of minutes) {
    const i = Math.floor((m.minute - query.since) / query.bucketMs);
    const bucket = buckets[i];
    if (bucket === undefined) continue;
    // An endpoint's timeline counts no events (TimelineQuery.endpointId).
    if (query.endpointId === undefined) bucket.events += m.events;
    bucket.attemptsOk += m.ok;
    bucket.attemptsFailed += m.failed;
    const base = i * HISTOGRAM_BUCKETS;
    const counts = m.histogram;
    for (let h = 0; h < HISTOGRAM_BUCKETS; h++) {
      const n = counts[h] ?? 0;
      histograms[base + h]! += n;
      overall[h]! += n;
    }
  }
  for (let i = 0; i < buckets.length; i++) {
    const base = i * HISTOGRAM_BUCKETS;
    buckets[i]!.p95Ms = p95(histograms.subarray(base, base + HISTOGRAM_BUCKETS));
  }
  return { buckets, p95Ms: p95(overall) };
}

/**
 * The counted columns of a rollup row, in the order deltas and minutes carry them; the latency
 * histogram is one more column, `latency`, packed (a blob on SQLite, an array on PostgreSQL): a
 * day's chart reads 1,440 rows of 5 values, where 51 columns of counts made it 55 (measured on
 * SQLite, loaded machine: 20 ms to read them, 4 ms for 7 columns).
 */
export const ROLLUP_COLUMNS = ["events", "attempts_ok", "attempts_failed"];

/** A delta's values in ROLLUP_COLUMNS order. */
export const deltaValues = (d: RollupDelta): number[] => [d.events, d.ok, d.failed];

/**
 * A scope's minutes in [since, until), a range of the primary key (several shards a minute).
 * `latency` is how the histogram column is read (PostgreSQL reads its array as text).
 */
export const readRollupsSql = (p: (n: number) => string, latency = "latency") =>
  `SELECT minute, ${ROLLUP_COLUMNS.join(", ")}, ${latency} FROM rollups
   WHERE scope = ${p(1)} AND minute >= ${p(2)} AND minute < ${p(3)}`;

/** A row of readRollupsSql read as an array, its histogram unpacked by the store's `unpack`. */
export function toRollupMinute<H>(
  row: readonly unknown[],
  unpack: (latency: H) => ArrayLike<number>,
): RollupMinute {
  return {
    minute: Number(row[0]),
    events: Number(row[1]),
    ok: Number(row[2]),
    failed: Number(row[3]),
    histogram: unpack(row[4] as H),
  };
}

/** The scope a timeline query reads. */
export const rollupScope = (q: TimelineQuery) => q.endpointId ?? q.tenantId;

/** Retention keeps the minutes that start at or after the cutoff's minute. */
export const rollupCutoff = (cutoff: number) => minuteOf(cutoff);
