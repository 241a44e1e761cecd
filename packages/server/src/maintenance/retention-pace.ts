/**
 * How long a retention pass rests after a batch: the pass keeps a duty cycle (the share of its
 * time spent in batches) instead of running batches back to back.
 *
 * A pass only has to keep pace with what ages out, on average the ingest rate of one retention
 * window ago, far below what a pass deletes flat out (PostgreSQL here: 6,000-24,000 events/s,
 * against ~12/s for a day of a million events). Resting `batchMs × (1/duty − 1)` after each
 * batch holds the pass to `duty` of the time, whatever a batch costs on the machine.
 *
 * A pass that is still running when the next was due (`intervalMs` after it started) is behind:
 * more ages out than it deletes at that duty. Its duty then doubles for every further interval
 * it runs, up to 1 (no rest, batches back to back as before pacing), so a pass whose work
 * outgrows its pace speeds up until it finishes rather than falling behind pass after pass.
 */
export interface PaceOptions {
  /** Share of the pass's time spent in batches while it is on time, in (0, 1]. */
  dutyCycle: number;
  /** Time between passes: a pass that has run this long is behind. */
  intervalMs: number;
}

/** The duty cycle of a pass `elapsedMs` after it started. */
export function dutyAt(elapsedMs: number, options: PaceOptions): number {
  const intervalsLate = Math.max(0, Math.floor(elapsedMs / options.intervalMs));
  return Math.min(1, options.dutyCycle * 2 ** intervalsLate);
}

/** The rest after a batch that took `batchMs`, `elapsedMs` into its pass; 0 means none. */
export function pauseAfterBatch(batchMs: number, elapsedMs: number, options: PaceOptions): number {
  const duty = dutyAt(elapsedMs, options);
  return duty >= 1 ? 0 : batchMs * (1 / duty - 1);
}
