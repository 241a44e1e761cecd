import { postEvent } from "./hookline.ts";
import { createLimit } from "./limit.ts";
import { closedLoop } from "./load.ts";
import {
  CLIENT_CONCURRENCY,
  latencies,
  limitItems,
  MAX_IN_FLIGHT,
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
import { type CpuSplit, cpuMeter, memory, rssSampler } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface Throughput {
  deliveries: number;
  perSecond: number;
  cpu: CpuSplit;
}

export interface BurstResult {
  name: string;
  events: number;
  endpoints: number;
  limitConcurrency: number;
  /** The limit, run before and after Hookline. */
  limit: [Throughput, Throughput];
  hookline: Throughput & {
    ingestPerSecond: number;
    /** The API alone: events to a tenant with no endpoint, so nothing is delivered. */
    ingestOnly: { perSecond: number; cores: number };
    latency: Distribution;
    duplicates: number;
    peakRss: number;
    idleRss: number;
  };
  failures: number;
}

async function limitBurst(
  setup: Setup,
  run: string,
  events: number,
  concurrency: number,
): Promise<Throughput> {
  const items = limitItems(run, events, setup.targets);
  const limit = createLimit({ connectionsPerOrigin: MAX_IN_FLIGHT_PER_ENDPOINT });
  const phase = setup.receiver.phase();
  const meter = cpuMeter({ driver: process.pid, receiver: setup.receiver.pid });
  const start = now();
  await closedLoop(items.length, concurrency, (i) => limit.send(items[i]!));
  await phase.waitFor(items.length, WAIT_MS, `limit ${run}`);
  const cpu = meter();
  phase.end();
  await limit.close();
  return {
    deliveries: items.length,
    perSecond: items.length / (toMs(phase.last - start) / 1000),
    cpu,
  };
}

async function hooklineBurst(setup: Setup, events: number, first: number) {
  const expected = events * setup.targets.length;
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const t0 = new Map<string, number>();
  const phase = setup.receiver.phase();
  const meter = cpuMeter({
    driver: process.pid,
    receiver: setup.receiver.pid,
    hookline: setup.hookline.pid,
  });
  const start = now();
  await closedLoop(events, CLIENT_CONCURRENCY, async (i) => {
    const sent = now();
    t0.set(await postEvent(setup.hookline.api, bodies[i]!), sent);
  });
  const ingested = now();
  await phase.waitFor(expected, WAIT_MS, "hookline");
  const cpu = meter();
  phase.end();
  return {
    deliveries: expected,
    perSecond: expected / (toMs(phase.last - start) / 1000),
    ingestPerSecond: events / (toMs(ingested - start) / 1000),
    latency: distribution(latencies(phase, t0)),
    duplicates: phase.duplicates,
    cpu,
  };
}

/**
 * What the API alone accepts: the same events, posted the same way, to a tenant without
 * endpoints. It bounds what Hookline can deliver when every event is its own request.
 */
async function ingestOnly(setup: Setup, events: number, first: number) {
  const tenant = await setup.hookline.createTenant("tn_benchingestonly", "ingest only");
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const headers = { "hookline-tenant": tenant };
  const meter = cpuMeter({ hookline: setup.hookline.pid });
  const start = now();
  await closedLoop(events, CLIENT_CONCURRENCY, async (i) => {
    await postEvent(setup.hookline.api, bodies[i]!, headers);
  });
  const elapsed = toMs(now() - start) / 1000;
  return { perSecond: events / elapsed, cores: meter().cores.hookline ?? 0 };
}

/** Burst: `events` events to `endpoints` endpoints as fast as they go, Hookline vs the limit. */
export async function burst(
  ctx: RunContext,
  options: { name: string; events: number; endpoints: number; warmup: number },
): Promise<BurstResult> {
  const { name, events, endpoints, warmup } = options;
  const limitConcurrency = Math.min(MAX_IN_FLIGHT, endpoints * MAX_IN_FLIGHT_PER_ENDPOINT);
  ctx.log(`${name}: starting the receiver and Hookline`);
  const setup = await setUp(ctx, name, endpoints);
  try {
    ctx.log(`${name}: warming up (${warmup} events each)`);
    await hooklineBurst(setup, warmup, 1_000_000);
    await limitBurst(setup, "w", warmup, limitConcurrency);
    ctx.log(`${name}: limit, ${events * endpoints} deliveries at concurrency ${limitConcurrency}`);
    const before = await limitBurst(setup, "a", events, limitConcurrency);
    ctx.log(`${name}: hookline, ${events} events × ${endpoints} endpoints`);
    const sampler = rssSampler(setup.hookline.pid);
    const hookline = await hooklineBurst(setup, events, 0);
    const sampled = sampler();
    ctx.log(`${name}: limit again`);
    const after = await limitBurst(setup, "b", events, limitConcurrency);
    const peakRss = Math.max(sampled, memory(setup.hookline.pid).peak);
    ctx.log(`${name}: hookline's API alone, ${events} events to a tenant without endpoints`);
    const apiAlone = await ingestOnly(setup, events, 2_000_000);
    return {
      name,
      events,
      endpoints,
      limitConcurrency,
      limit: [before, after],
      hookline: { ...hookline, peakRss, idleRss: setup.idleRss, ingestOnly: apiAlone },
      failures: setup.receiver.failures(),
    };
  } finally {
    await tearDown(setup);
  }
}
