/** Two ways to offer load: back to back at a fixed concurrency, or on a clock at a fixed rate. */

/** Runs `op(0 … count-1)` with `concurrency` calls in flight at all times (a closed loop). */
export async function closedLoop(
  count: number,
  concurrency: number,
  op: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * Starts `op(i)` at `start + i / perSecond`, whether or not earlier calls finished (an open loop,
 * so a slow answer does not slow the offered load), with at most `maxInFlight` outstanding.
 * Resolves when every call finished, with how late the timer started calls (the t0 of a call is
 * taken when it really starts, so lateness never shows up as latency).
 */
export async function openLoop(
  count: number,
  perSecond: number,
  op: (index: number) => Promise<void>,
  options: { maxInFlight?: number } = {},
): Promise<{ maxLateMs: number }> {
  const maxInFlight = options.maxInFlight ?? 256;
  const intervalMs = 1000 / perSecond;
  const start = performance.now();
  const running = new Set<Promise<void>>();
  let maxLateMs = 0;
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (running.size >= maxInFlight) await Promise.race(running);
    maxLateMs = Math.max(maxLateMs, performance.now() - due);
    const call = op(i).finally(() => running.delete(call));
    running.add(call);
  }
  await Promise.all(running);
  return { maxLateMs };
}
