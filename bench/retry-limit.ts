import { createLimit, type Limit, type LimitItem } from "./limit.ts";
import { closedLoop } from "./load.ts";
import { limitItems, MAX_IN_FLIGHT_PER_ENDPOINT, now, type Setup, toMs, WAIT_MS } from "./setup.ts";

/**
 * The limit with retries, for a receiver that fails on purpose: first attempts back to back at
 * `concurrency`; a failed attempt is tried again after the schedule's next wait (no jitter),
 * off the loop's slots, as a sender with a retry timer would, so a retry costs its own wait and
 * no one else's. Throws when an attempt fails past the schedule's end.
 */
export async function retryingLoop(
  limit: Limit,
  items: LimitItem[],
  concurrency: number,
  waitsMs: number[],
): Promise<void> {
  const retries: Promise<void>[] = [];
  const retry = async (item: LimitItem, failed: number): Promise<void> => {
    const wait = waitsMs[failed - 1];
    if (wait === undefined) throw new Error(`${item.id}: ${failed} attempts failed, no retry left`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    if ((await limit.attempt(item)) !== 200) await retry(item, failed + 1);
  };
  await closedLoop(items.length, concurrency, async (i) => {
    if ((await limit.attempt(items[i]!)) !== 200) {
      const retried = retry(items[i]!, 1);
      // Awaited below with the others; until then a failure must not be an unhandled rejection.
      retried.catch(() => {});
      retries.push(retried);
    }
  });
  await Promise.all(retries);
}

/** `events` deliveries by the retrying loop at Hookline's per-endpoint concurrency; wall ms. */
export async function retryingLimitPhase(
  setup: Setup,
  run: string,
  events: number,
  waitsMs: number[],
): Promise<{ wallMs: number; refused: number }> {
  const items = limitItems(run, events, setup.targets);
  const limit = createLimit({ connectionsPerOrigin: MAX_IN_FLIGHT_PER_ENDPOINT });
  const phase = setup.receiver.phase();
  const start = now();
  await retryingLoop(limit, items, MAX_IN_FLIGHT_PER_ENDPOINT, waitsMs);
  await phase.waitFor(items.length, WAIT_MS, `limit with retries ${run}`);
  phase.end();
  await limit.close();
  return { wallMs: toMs(phase.last - start), refused: phase.refused };
}
