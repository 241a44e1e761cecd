import { postEvent } from "./hookline.ts";
import { createLimit } from "./limit.ts";
import { openLoop } from "./load.ts";
import {
  latencies,
  limitItems,
  MAX_IN_FLIGHT_PER_ENDPOINT,
  now,
  type RunContext,
  type Setup,
  setUp,
  tearDown,
  toMs,
  WAIT_MS,
} from "./setup.ts";
import { type Distribution, distribution } from "./stats.ts";
import { type CpuSplit, cpuMeter } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface LatencyResult {
  /** Hookline's --durability for the run (fsync on acknowledged writes, or not). */
  durability: "fsync" | "process";
  perSecond: number;
  events: number;
  /** Event created (the client starts its POST) → the receiver has the whole request. */
  hookline: Distribution;
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

async function hooklinePaced(setup: Setup, events: number, perSecond: number, first: number) {
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const t0 = new Map<string, number>();
  const acks: number[] = [];
  const phase = setup.receiver.phase();
  const meter = cpuMeter({
    driver: process.pid,
    receiver: setup.receiver.pid,
    hookline: setup.hookline.pid,
  });
  const { maxLateMs } = await openLoop(events, perSecond, async (i) => {
    const sent = now();
    const id = await postEvent(setup.hookline.api, bodies[i]!);
    acks.push(toMs(now() - sent));
    t0.set(id, sent);
  });
  await phase.waitFor(events, WAIT_MS, "hookline at a steady rate");
  const cpu = meter();
  phase.end();
  return {
    cpu,
    latency: distribution(latencies(phase, t0)),
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

/** A steady `perSecond` events to one endpoint, on a clock: how long from creation to receipt. */
export async function steady(
  ctx: RunContext,
  options: {
    perSecond: number;
    seconds: number;
    warmupSeconds: number;
    durability: "fsync" | "process";
  },
): Promise<LatencyResult> {
  const { perSecond } = options;
  const events = Math.round(perSecond * options.seconds);
  const warmup = Math.round(perSecond * options.warmupSeconds);
  ctx.log(`latency: starting the receiver and Hookline`);
  const setup = await setUp(ctx, `latency-${options.durability}`, 1, {
    env: { HOOKLINE_DURABILITY: options.durability },
  });
  try {
    ctx.log(`latency: warming up (${warmup} events each at ${perSecond}/s)`);
    await hooklinePaced(setup, warmup, perSecond, 1_000_000);
    await limitPaced(setup, "w", warmup, perSecond);
    ctx.log(`latency: limit, ${events} requests at ${perSecond}/s`);
    const limit = await limitPaced(setup, "a", events, perSecond);
    ctx.log(`latency: hookline, ${events} events at ${perSecond}/s`);
    const hookline = await hooklinePaced(setup, events, perSecond, 0);
    return {
      durability: options.durability,
      perSecond,
      events,
      hookline: hookline.latency,
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
