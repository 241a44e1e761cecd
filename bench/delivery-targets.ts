/**
 * The targets `bench:delivery` reports against: ratios to a baseline of the same run where one
 * exists, absolute bounds for latency, lag and memory. Issue 15 added the 1-endpoint, retry and
 * drain targets. Nothing asserts them: a miss is printed, counted and written down.
 */
export const TARGETS = {
  /** Burst deliveries/s over the limit's. */
  throughputRatio: 0.5,
  /** With one endpoint: deliveries/s over the API alone's events/s, in every run. */
  apiAloneRatio: 0.9,
  /** With one endpoint: last receipt minus the answer to the last event posted. */
  lagMs: 1000,
  p50Ms: 2,
  p99Ms: 15,
  rssBytes: 200 * 1024 * 1024,
  backlogDeliveries: 100_000,
  /** 20% of first attempts failing: wall ≤ factor × the wall without failures + slack. */
  flakyWallFactor: 1.3,
  flakyWallSlackMs: 1500,
  /** Fail-twice: every event delivered on attempt 3 within this long of the first POST. */
  failTwiceMs: 5000,
  /** Backlog drain: deliveries/s over the loop's for the same count. */
  drainRatio: 0.6,
  /** Issue 17, batch ingest to one endpoint: deliveries/s over the loop's for the same count. */
  batchRatio: 0.7,
} as const;

export const verdict = (met: boolean) => (met ? "met" : "missed");

/** A part of the report: its Markdown and how many targets it missed. */
export interface Part {
  text: string;
  misses: number;
}

/** The run a result came from (1-based), when `--runs` repeats the scenarios. */
export type Run<T> = T & { run: number };
