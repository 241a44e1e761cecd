import { postEvent } from "./hookline.ts";
import { createLimit } from "./limit.ts";
import { closedLoop } from "./load.ts";
import {
  latencies,
  limitItems,
  MAX_IN_FLIGHT,
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
import { type Distribution, distribution, int } from "./stats.ts";
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
  /** Concurrent keep-alive clients posting events (Hookline and the API alone alike). */
  clients: number;
  limitConcurrency: number;
  /** The limit, run before and after Hookline. */
  limit: [Throughput, Throughput];
  hookline: Throughput & {
    ingestPerSecond: number;
    /** The API alone: events to a tenant with no endpoint, so nothing is delivered. */
    ingestOnly: { perSecond: number; cores: number };
    latency: Distribution;
    /** Last receipt minus the answer to the last event posted, ms: the backlog left at the end. */
    lagMs: number;
    duplicates: number;
    peakRss: number;
    idleRss: number;
  };
  failures: number;
}

/** The limit: `events` × endpoints signed POSTs at `concurrency`, first request to last receipt. */
export async function limitBurst(
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

/**
 * Posts `events` events through the API at the setup's concurrency and waits up to `timeoutMs`
 * for every delivery. `complete` says whether they all came; a scenario whose figure is how far
 * a slow dispatcher got reports `received` and `wallMs` (to the timeout) instead of failing.
 */
export async function hooklineBurst(
  setup: Setup,
  events: number,
  first: number,
  timeoutMs = WAIT_MS,
) {
  const expected = events * setup.targets.length;
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const t0 = new Map<string, number>();
  const phase = setup.receiver.phase();
  const meter = meterAll(setup);
  const start = now();
  await closedLoop(events, setup.clients, async (i) => {
    const sent = now();
    t0.set(await postEvent(setup.hookline.api, bodies[i]!), sent);
  });
  const ingested = now();
  const complete = await phase.settle(expected, timeoutMs);
  const cpu = meter();
  const end = complete ? phase.last : now();
  phase.end();
  return {
    complete,
    expected,
    deliveries: phase.received.size,
    perSecond: phase.received.size / (toMs(end - start) / 1000),
    wallMs: toMs(end - start),
    ingestPerSecond: events / (toMs(ingested - start) / 1000),
    latency: distribution(latencies(phase, t0)),
    lagMs: toMs(end - ingested),
    /** How many deliveries got through on each attempt (with a failure policy set). */
    byAttempt: countValues(phase.attempts.values()),
    refused: phase.refused,
    duplicates: phase.duplicates,
    cpu,
  };
}

function countValues(values: Iterable<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
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
  await closedLoop(events, setup.clients, async (i) => {
    await postEvent(setup.hookline.api, bodies[i]!, headers);
  });
  const elapsed = toMs(now() - start) / 1000;
  return { perSecond: events / elapsed, cores: meter().cores.hookline ?? 0 };
}

/** Burst: `events` events to `endpoints` endpoints as fast as they go, Hookline vs the limit. */
export async function burst(
  ctx: RunContext,
  options: { name: string; events: number; endpoints: number; warmup: number; clients?: number },
): Promise<BurstResult> {
  const { name, events, endpoints, warmup } = options;
  const limitConcurrency = Math.min(MAX_IN_FLIGHT, endpoints * MAX_IN_FLIGHT_PER_ENDPOINT);
  ctx.log(`${name}: starting the receiver and Hookline`);
  const setup = await setUp(
    ctx,
    name,
    endpoints,
    options.clients === undefined ? {} : { clients: options.clients },
  );
  try {
    ctx.log(`${name}: warming up (${warmup} events each)`);
    await hooklineBurst(setup, warmup, 1_000_000);
    await limitBurst(setup, "w", warmup, limitConcurrency);
    ctx.log(`${name}: limit, ${events * endpoints} deliveries at concurrency ${limitConcurrency}`);
    const before = await limitBurst(setup, "a", events, limitConcurrency);
    ctx.log(
      `${name}: hookline, ${events} events × ${endpoints} endpoints, ${setup.clients} clients`,
    );
    const sampler = rssSampler(setup.hookline.pid);
    const { complete, expected, wallMs, byAttempt, refused, ...hookline } = await hooklineBurst(
      setup,
      events,
      0,
    );
    if (!complete) {
      throw new Error(
        `${name}: ${int(hookline.deliveries)} of ${int(expected)} deliveries received after ${WAIT_MS / 1000} s`,
      );
    }
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
      clients: setup.clients,
      limitConcurrency,
      limit: [before, after],
      hookline: { ...hookline, peakRss, idleRss: setup.idleRss, ingestOnly: apiAlone },
      failures: setup.receiver.failures(),
    };
  } finally {
    await tearDown(setup);
  }
}

/**
 * Warms Hookline and the loop up (a twentieth of `events` each, at least 100), then runs the
 * loop's `events` deliveries: the baseline of a scenario that then measures Hookline alone.
 */
export async function warmUpAndLimit(
  ctx: RunContext,
  setup: Setup,
  scenario: string,
  events: number,
): Promise<Throughput> {
  const warmup = Math.max(100, events / 20);
  ctx.log(`${scenario}: warming up (${warmup} events each)`);
  await hooklineBurst(setup, warmup, 1_000_000);
  await limitBurst(setup, "w", warmup, MAX_IN_FLIGHT_PER_ENDPOINT);
  ctx.log(`${scenario}: limit, ${events} deliveries`);
  return limitBurst(setup, "a", events, MAX_IN_FLIGHT_PER_ENDPOINT);
}
