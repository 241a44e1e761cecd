import { generateSecret } from "../packages/webhooks/src/index.ts";
import { authorization, type Hookline, postEvent, startHookline } from "./hookline.ts";
import { closedLoop } from "./load.ts";
import { type Receiver, startReceiver } from "./receiver.ts";
import { CLIENT_CONCURRENCY, latencies, now, type RunContext, toMs, WAIT_MS } from "./setup.ts";
import { type Distribution, distribution } from "./stats.ts";
import { type CpuSplit, cpuMeter, memory, rssSampler } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface IsolationOptions {
  /** Endpoints that answer in both scenarios: the ones measured. */
  healthy: number;
  /** Endpoints that answer in scenario A and hang until Hookline's timeout in scenario B. */
  others: number;
  /** Events of the measured burst, each delivered to every endpoint. */
  events: number;
  /** Events sent to the healthy endpoints alone before the others exist. */
  warmup: number;
  /** Hookline's `--timeout`, the same in both scenarios. */
  timeout: string;
}

export interface ScenarioResult {
  sick: boolean;
  /** Deliveries to the healthy endpoints: how many, how fast, how long from creation. */
  deliveries: number;
  perSecond: number;
  latency: Distribution;
  duplicates: number;
  /** Attempts Hookline recorded to each of the other endpoints once the healthy ones were done. */
  otherAttempts: number[];
  /** Failed attempts to the healthy endpoints (timeouts under load): each one is a retry. */
  healthyFailures: number;
  idleRss: number;
  peakRss: number;
  cpu: CpuSplit;
}

/**
 * One scenario on a fresh Hookline: the healthy endpoints first, warmed up on their own; then the
 * other endpoints (hanging when `sick`), and a burst of events to all of them. The others hang
 * from the burst's first event, so scenario B includes the onset: a circuit can only open once
 * attempts have timed out.
 */
export async function isolationScenario(
  ctx: RunContext,
  name: string,
  sick: boolean,
  options: IsolationOptions,
): Promise<ScenarioResult> {
  const healthySecrets = Array.from({ length: options.healthy }, () => generateSecret());
  const otherSecrets = Array.from({ length: options.others }, () => generateSecret());
  // Two receiver processes in both scenarios, so that only the others' behaviour differs.
  const healthy = await startReceiver(healthySecrets, { children: ctx.children });
  const others = await startReceiver(otherSecrets, { hang: sick, children: ctx.children });
  let hookline: Hookline | undefined;
  try {
    hookline = await startHookline({
      children: ctx.children,
      connections: CLIENT_CONCURRENCY,
      nodeOptions: ctx.serverNodeOptions(name),
      args: ["--timeout", options.timeout],
    });
    const server = hookline;
    const healthyIds = await Promise.all(
      healthy.urls.map((url, i) => server.createEndpoint(url, healthySecrets[i]!)),
    );
    ctx.log(`${name}: warming up (${options.warmup} events × ${options.healthy} endpoints)`);
    await burst(server, healthy, options.warmup, 1_000_000);
    // A warm-up attempt that timed out is retried seconds later: let every retry land before the
    // measured burst, or its receipt would be counted there.
    await settled(server, healthyIds);
    const otherIds = await Promise.all(
      others.urls.map((url, i) => server.createEndpoint(url, otherSecrets[i]!)),
    );
    const idleRss = memory(server.pid).rss;

    ctx.log(
      `${name}: ${options.events} events × ${options.healthy + options.others} endpoints${sick ? ` (${options.others} hanging)` : ""}`,
    );
    const othersPhase = sick ? undefined : others.phase();
    const sampler = rssSampler(server.pid);
    const meter = cpuMeter({
      hookline: server.pid,
      receivers: healthy.pid,
      others: others.pid,
      driver: process.pid,
    });
    const measured = await burst(server, healthy, options.events, 0);
    const cpu = meter();
    const peakRss = Math.max(sampler(), memory(server.pid).peak);
    // In A the others' deliveries finish too (not measured), so every run ends with an empty queue.
    await othersPhase?.waitFor(options.events * options.others, WAIT_MS, `${name}: the others`);
    othersPhase?.end();
    const otherAttempts = (await Promise.all(otherIds.map((id) => health(server, id)))).map(
      (h) => h.attempts,
    );
    const healthyFailures = (await Promise.all(healthyIds.map((id) => health(server, id)))).reduce(
      (sum, h) => sum + h.failed,
      0,
    );
    const failures = healthy.failures() + others.failures();
    if (failures > 0) throw new Error(`${name}: ${failures} signatures rejected`);
    return { sick, ...measured, otherAttempts, healthyFailures, idleRss, peakRss, cpu };
  } finally {
    // The receivers first: attempts hanging on them end at once, so Hookline stops quickly.
    await Promise.all([healthy.stop(), others.stop()]);
    await hookline?.stop();
  }
}

/** `events` events as fast as 32 clients get them accepted; waits for every healthy receipt. */
async function burst(hookline: Hookline, healthy: Receiver, events: number, first: number) {
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const expected = events * healthy.urls.length;
  const t0 = new Map<string, number>();
  const phase = healthy.phase();
  const start = now();
  await closedLoop(events, CLIENT_CONCURRENCY, async (i) => {
    const sent = now();
    t0.set(await postEvent(hookline.api, bodies[i]!), sent);
  });
  await phase.waitFor(expected, WAIT_MS, "the healthy endpoints");
  phase.end();
  return {
    deliveries: expected,
    perSecond: expected / (toMs(phase.last - start) / 1000),
    latency: distribution(latencies(phase, t0)),
    duplicates: phase.duplicates,
  };
}

/** Waits until none of these endpoints has a delivery pending or in flight. */
async function settled(hookline: Hookline, endpointIds: string[]): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const reports = await Promise.all(endpointIds.map((id) => health(hookline, id)));
    if (reports.every((r) => r.open === 0)) return;
    if (performance.now() > deadline) throw new Error("the warm-up's retries did not finish");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * From an endpoint's health report: its attempts over the last day (the report's window), how
 * many of those failed, and its deliveries pending or in flight.
 */
async function health(
  hookline: Hookline,
  endpointId: string,
): Promise<{ attempts: number; failed: number; open: number }> {
  const response = await hookline.api.request({
    path: `/v1/webhook_endpoints/${endpointId}/health`,
    method: "GET",
    headers: authorization,
  });
  const report = (await response.body.json()) as {
    window: { attempts: number; success_rate: number | null };
    deliveries: { pending: number; in_flight: number };
  };
  if (response.statusCode !== 200) {
    throw new Error(`GET …/health answered ${response.statusCode}: ${JSON.stringify(report)}`);
  }
  const { attempts, success_rate: rate } = report.window;
  return {
    attempts,
    // The rate has 4 decimals: exact for the counts of a benchmark (under 1,000 attempts).
    failed: Math.round(attempts * (1 - (rate ?? 1))),
    open: report.deliveries.pending + report.deliveries.in_flight,
  };
}
