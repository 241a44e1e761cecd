/**
 * The wait before ack-first retry number `attempt` (1 after the first failure): 1 s, 2 s, 4 s…
 * capped at 5 minutes. Pure. No jitter: the retries of one process's events are already spread
 * by when each event arrived.
 */
export function exponentialDelay(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}
