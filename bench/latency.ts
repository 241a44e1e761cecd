import { postEvent } from "./hookline.ts";
import { createLimit } from "./limit.ts";
import { openLoop } from "./load.ts";
import {
  latencies,
  limitItems,
  MAX_IN_FLIGHT_PER_ENDPOINT,
  meterAll,
  now,
  type RunContext,
  type Setup,
  setUp,
  tearDown,
  toMs,
  WAIT_MS,
} from "./setup.ts";
import { type Distribution, distribution } from "./stats.ts";
import type { CpuSplit } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface LatencyResult {
  /** Hookline's --durability for the run (fsync on acknowledged writes, or not). */
  durability: "fsync" | "process";
  perSecond: number;
  events: number;
  /** Concurrent keep-alive clients of the API. */
  clients: number;
  /** Measured on a freshly started Hookline, without a warm-up (a cold start is part of it). */
  fresh: boolean;
  /** Event created (the client starts its POST) → the receiver has the whole request. */
  hookline: Distribution;
  /** The same, over the first `firstCount` events posted (a cold start shows there). */
  first: Distribution;
  firstCount: number;
  /** Event created → the API answered (accepted = committed). */
  ack: Distribution;
  /** The same clocks for a plain signed POST straight to the receiver. */
  limit: Distribution;
  maxLateMs: number;
  duplicates: number;
  failures: number;
  /** Where the CPU went during Hookline's run. */
  cpu: CpuSplit;
}

async function hooklinePaced(
  setup: Setup,
  events: number,
  perSecond: number,
  first: number,
  firstCount = 0,
) {
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const t0 = new Map<string, number>();
  // The t0 of the first `firstCount` events posted, by the order they were posted in.
  const early = new Map<string, number>();
  const acks: number[] = [];
  const phase = setup.receiver.phase();
  const meter = meterAll(setup);
  const { maxLateMs } = await openLoop(events, perSecond, async (i) => {
    const sent = now();
    const id = await postEvent(setup.hookline.api, bodies[i]!);
    acks.push(toMs(now() - sent));
    t0.set(id, sent);
    if (i < firstCount) early.set(id, sent);
  });
  await phase.waitFor(events, WAIT_MS, "hookline at a steady rate");
  const cpu = meter();
  phase.end();
  return {
    cpu,
    latency: distribution(latencies(phase, t0)),
    first: distribution(latencies(phase, early)),
    ack: distribution(acks),
    maxLateMs,
    duplicates: phase.duplicates,
  };
}

async function limitPaced(setup: Setup, run: string, events: number, perSecond: number) {
  const items = limitItems(run, events, setup.targets);
  const limit = createLimit({ connectionsPerOrigin: MAX_IN_FLIGHT_PER_ENDPOINT });
  const t0 = new Map<string, number>();
  const phase = setup.receiver.phase();
  await openLoop(items.length, perSecond, async (i) => {
    t0.set(items[i]!.id, now());
    await limit.send(items[i]!);
  });
  await phase.waitFor(items.length, WAIT_MS, "limit at a steady rate");
  phase.end();
  await limit.close();
  return distribution(latencies(phase, t0));
}

/**
 * A steady `perSecond` events to one endpoint, on a clock: how long from creation to receipt.
 * `fresh` skips Hookline's warm-up (the loop still warms up, so the driver and the receiver are
 * warm): what the first minutes after a start look like.
 */
export async function steady(
  ctx: RunContext,
  options: {
    perSecond: number;
    seconds: number;
    warmupSeconds: number;
    durability: "fsync" | "process";
    clients?: number;
    fresh?: boolean;
    /** Also a distribution over this many first events. */
    firstCount?: number;
  },
): Promise<LatencyResult> {
  const { perSecond } = options;
  const fresh = options.fresh === true;
  const events = Math.round(perSecond * options.seconds);
  const warmup = Math.round(perSecond * options.warmupSeconds);
  const firstCount = Math.min(events, options.firstCount ?? 0);
  const name = fresh ? "fresh-start" : "latency";
  ctx.log(`${name}: starting the receiver and Hookline`);
  const setup = await setUp(ctx, `${name}-${options.durability}`, 1, {
    env: { HOOKLINE_DURABILITY: options.durability },
    ...(options.clients === undefined ? {} : { clients: options.clients }),
  });
  try {
    ctx.log(
      `${name}: warming up (${warmup} events${fresh ? " of the loop only" : " each"} at ${perSecond}/s)`,
    );
    if (!fresh) await hooklinePaced(setup, warmup, perSecond, 1_000_000);
    await limitPaced(setup, "w", warmup, perSecond);
    ctx.log(`${name}: limit, ${events} requests at ${perSecond}/s`);
    const limit = await limitPaced(setup, "a", events, perSecond);
    ctx.log(`${name}: hookline, ${events} events at ${perSecond}/s, ${setup.clients} clients`);
    const hookline = await hooklinePaced(setup, events, perSecond, 0, firstCount);
    return {
      durability: options.durability,
      perSecond,
      events,
      clients: setup.clients,
      fresh,
      hookline: hookline.latency,
      first: hookline.first,
      firstCount,
      ack: hookline.ack,
      limit,
      maxLateMs: hookline.maxLateMs,
      duplicates: hookline.duplicates,
      failures: setup.receiver.failures(),
      cpu: hookline.cpu,
    };
  } finally {
    await tearDown(setup);
  }
}
