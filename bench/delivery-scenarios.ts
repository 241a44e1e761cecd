import { backlog } from "./backlog.ts";
import { batchIngest } from "./batch-ingest.ts";
import { burst } from "./burst.ts";
import { drain } from "./drain.ts";
import { failTwice } from "./fail-twice.ts";
import { flaky } from "./flaky.ts";
import { steady } from "./latency.ts";
import type { Results } from "./report.ts";
import { NEW_USER_CLIENTS, type RunContext } from "./setup.ts";

/** What a scenario gets: the context, the size factor (`--quick`: 0.1) and the run's number. */
interface Turn {
  ctx: RunContext;
  scale: number;
  run: number;
  results: Results;
}

/**
 * The scenarios of `bench:delivery` by their `--only` name, in the order a run takes them. Each
 * starts its own receiver and Hookline, so any subset runs alone.
 */
export const SCENARIOS: Record<string, (turn: Turn) => Promise<void>> = {
  "one-endpoint": async ({ ctx, scale, run, results }) => {
    const options = { name: "one-endpoint", events: 20_000 * scale, endpoints: 1 };
    results.bursts.push({ ...(await burst(ctx, { ...options, warmup: 1_000 * scale })), run });
  },
  "one-endpoint-50": async ({ ctx, scale, run, results }) => {
    const options = { name: "one-endpoint-50", events: 20_000 * scale, endpoints: 1 };
    const result = await burst(ctx, {
      ...options,
      warmup: 1_000 * scale,
      clients: NEW_USER_CLIENTS,
    });
    results.bursts.push({ ...result, run });
  },
  "ten-endpoints": async ({ ctx, scale, run, results }) => {
    const options = { name: "ten-endpoints", events: 2_000 * scale, endpoints: 10 };
    results.bursts.push({ ...(await burst(ctx, { ...options, warmup: 200 * scale })), run });
  },
  latency: async ({ ctx, scale, run, results }) => {
    for (const durability of ["fsync", "process"] as const) {
      const options = { perSecond: 200, seconds: 10 * scale, warmupSeconds: 2 * scale };
      results.latency.push({ ...(await steady(ctx, { ...options, durability })), run });
    }
  },
  // Issue 15: 4,000 events at 200/s on a Hookline that just started, 50 clients.
  "fresh-start": async ({ ctx, scale, run, results }) => {
    const result = await steady(ctx, {
      perSecond: 200,
      seconds: 20 * scale,
      warmupSeconds: 2 * scale,
      durability: "fsync",
      clients: NEW_USER_CLIENTS,
      fresh: true,
      firstCount: 1_000 * scale,
    });
    results.latency.push({ ...result, run });
  },
  flaky: async ({ ctx, scale, run, results }) => {
    results.flaky.push({ ...(await flaky(ctx, { events: 5_000 * scale })), run });
  },
  // 20 events whatever the scale: the figure is when they arrive, not how fast many do.
  "fail-twice": async ({ ctx, run, results }) => {
    results.failTwice.push({ ...(await failTwice(ctx, { events: 20 })), run });
  },
  drain: async ({ ctx, scale, run, results }) => {
    results.drain.push({ ...(await drain(ctx, { events: 20_000 * scale })), run });
  },
  // Issue 17: 20,000 events in batches of 500 from 4 clients.
  batch: async ({ ctx, scale, run, results }) => {
    const options = { events: 20_000 * scale, batchSize: 500, clients: 4 };
    results.batch.push({ ...(await batchIngest(ctx, options)), run });
  },
  backlog: async ({ ctx, scale, run, results }) => {
    const options = { events: 10_000 * scale, endpoints: 10, settleMs: 3000 };
    results.memory.push({ ...(await backlog(ctx, options)), run });
  },
};

export function emptyResults(): Results {
  return { bursts: [], latency: [], flaky: [], failTwice: [], drain: [], batch: [], memory: [] };
}

/** Receipts whose signature did not verify, over every scenario run. */
export function signatureFailures(results: Results): number {
  return [
    ...results.bursts,
    ...results.latency,
    ...results.flaky,
    ...results.failTwice,
    ...results.drain,
    ...results.batch,
  ].reduce((sum, r) => sum + r.failures, 0);
}
