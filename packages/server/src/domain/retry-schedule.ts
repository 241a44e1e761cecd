/** Bounds on a receiver's Retry-After: honoured, but neither a hammering nor a stall. */
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 24 * 3_600_000;
/** Each wait is spread by ±20% so that failures at one instant do not retry at one instant. */
export const JITTER = 0.2;

/**
 * When the next attempt is due, or `undefined` when the schedule is exhausted.
 * `attempts` is how many attempts were made so far (≥ 1); `random` returns [0, 1).
 */
export function nextAttemptAt(input: {
  now: number;
  attempts: number;
  schedule: readonly number[];
  retryAfterMs?: number | undefined;
  random: () => number;
}): number | undefined {
  const wait = input.schedule[input.attempts - 1];
  if (wait === undefined) return undefined;
  if (input.retryAfterMs !== undefined) {
    return (
      input.now + Math.min(Math.max(input.retryAfterMs, RETRY_AFTER_MIN_MS), RETRY_AFTER_MAX_MS)
    );
  }
  const spread = 1 + JITTER * (2 * input.random() - 1);
  return input.now + Math.round(wait * spread);
}
