import { hooklineBurst, limitBurst } from "./burst.ts";
import { retryingLimitPhase } from "./retry-limit.ts";
import {
  MAX_IN_FLIGHT_PER_ENDPOINT,
  NEW_USER_CLIENTS,
  type RunContext,
  setUp,
  tearDown,
} from "./setup.ts";
import type { Distribution } from "./stats.ts";

/** Short waits, so that a run shows whether retries keep to the schedule, not how long it is. */
export const FLAKY_SCHEDULE = "1s,1s,1s,1s";
const FLAKY_WAITS_MS = [1000, 1000, 1000, 1000];
/** A flaky but alive endpoint: this share of first attempts is answered 500 at once. */
export const FLAKY_SHARE = 0.2;

export interface FlakyResult {
  events: number;
  clients: number;
  /** Hookline with every attempt answered 200: the baseline of the wall-time target. */
  clean: { wallMs: number; perSecond: number };
  /** The same Hookline, then 20% of first attempts answered 500. */
  flaky: {
    complete: boolean;
    deliveries: number;
    wallMs: number;
    perSecond: number;
    /** Attempts answered 500 on purpose. */
    refused: number;
    latency: Distribution;
  };
  /** The loop without and with the same failures, retrying on the same schedule. */
  loop: { cleanWallMs: number; flakyWallMs: number; refused: number };
  duplicates: number;
  failures: number;
}

/**
 * A flaky endpoint: `events` events to one endpoint that answers 500 at once to the first
 * attempt of 20% of them (chosen by their ids), with `HOOKLINE_RETRY_SCHEDULE=1s,1s,1s,1s`.
 * An endpoint that answers promptly should keep its schedule: the failed fifth is retried about
 * a second later, so the run should take little longer than the same run without failures.
 */
export async function flaky(ctx: RunContext, options: { events: number }): Promise<FlakyResult> {
  const { events } = options;
  ctx.log("flaky: starting the receiver and Hookline");
  const setup = await setUp(ctx, "flaky", 1, {
    env: { HOOKLINE_RETRY_SCHEDULE: FLAKY_SCHEDULE },
    clients: NEW_USER_CLIENTS,
  });
  try {
    const warmup = Math.max(50, events / 10);
    ctx.log(`flaky: warming up (${warmup} events each)`);
    await hooklineBurst(setup, warmup, 1_000_000);
    await limitBurst(setup, "w", warmup, MAX_IN_FLIGHT_PER_ENDPOINT);
    ctx.log(`flaky: hookline, ${events} events, every attempt answered`);
    const clean = await hooklineBurst(setup, events, 0);
    if (!clean.complete)
      throw new Error(`flaky: ${clean.deliveries} of ${events} without failures`);
    ctx.log(`flaky: hookline, ${events} events, ${FLAKY_SHARE * 100}% of first attempts fail`);
    await setup.receiver.setPolicy({ attempts: 1, share: FLAKY_SHARE });
    const failing = await hooklineBurst(setup, events, events);
    ctx.log("flaky: the loop, without failures and with them");
    await setup.receiver.setPolicy(undefined);
    const loopClean = await retryingLimitPhase(setup, "c", events, FLAKY_WAITS_MS);
    await setup.receiver.setPolicy({ attempts: 1, share: FLAKY_SHARE });
    const loopFlaky = await retryingLimitPhase(setup, "f", events, FLAKY_WAITS_MS);
    return {
      events,
      clients: setup.clients,
      clean: { wallMs: clean.wallMs, perSecond: clean.perSecond },
      flaky: {
        complete: failing.complete,
        deliveries: failing.deliveries,
        wallMs: failing.wallMs,
        perSecond: failing.perSecond,
        refused: failing.refused,
        latency: failing.latency,
      },
      loop: {
        cleanWallMs: loopClean.wallMs,
        flakyWallMs: loopFlaky.wallMs,
        refused: loopFlaky.refused,
      },
      duplicates: clean.duplicates + failing.duplicates,
      failures: setup.receiver.failures(),
    };
  } finally {
    await tearDown(setup);
  }
}
