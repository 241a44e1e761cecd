import { generateSecret } from "../packages/webhooks/src/index.ts";
import { type Hookline, startHookline } from "./hookline.ts";
import { health, type PhaseResult, phase, settled } from "./isolation-phases.ts";
import { type Receiver, startReceiver } from "./receiver.ts";
import { CLIENT_CONCURRENCY, type RunContext, WAIT_MS } from "./setup.ts";
import { type CpuSplit, cpuMeter, memory, rssSampler } from "./system.ts";

export interface IsolationOptions {
  /** Endpoints that answer in both scenarios: the ones measured. */
  healthy: number;
  /** Endpoints that answer in scenario A and hang until Hookline's timeout in scenario B. */
  others: number;
  /** Events sent to the healthy endpoints alone before the others exist. */
  warmup: number;
  /** The steady phase: `seconds` at `perSecond` events, each to every endpoint. */
  steady: { perSecond: number; seconds: number };
  /** Events of the burst phase, each to every endpoint. */
  burst: number;
  /** Hookline's `--timeout`, the same in both scenarios. */
  timeout: string;
}

export interface ScenarioResult {
  sick: boolean;
  /** The healthy endpoints' deliveries at a steady rate, from the moment the others hang. */
  steady: PhaseResult;
  /** The healthy endpoints' deliveries in a burst, the others still hanging. */
  burst: PhaseResult;
  /** Attempts Hookline recorded to each of the others by the end of the burst. */
  otherAttempts: number[];
  /** Failed attempts to the healthy endpoints: 0 unless the machine was too slow for the timeout. */
  healthyFailures: number;
  idleRss: number;
  peakRss: number;
  /** Where the CPU went during the burst. */
  cpu: CpuSplit;
}

/**
 * One scenario on a fresh Hookline. The healthy endpoints first, warmed up on their own; then
 * the others (hanging when `sick`) and a steady rate of events to all: scenario B starts hanging
 * at the steady phase's first event, so that phase holds the onset (a circuit can only open
 * once attempts have timed out). Then a burst, the others still hanging: the throughput left to
 * the healthy endpoints while some are dead.
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
    await phase(server, healthy, { events: options.warmup, first: 1_000_000 });
    // A warm-up attempt that timed out is retried seconds later: let every retry land before
    // the measured phases, or its receipt would be counted there.
    await settled(server, healthyIds);
    const otherIds = await Promise.all(
      others.urls.map((url, i) => server.createEndpoint(url, otherSecrets[i]!)),
    );
    const idleRss = memory(server.pid).rss;
    const sampler = rssSampler(server.pid);
    const all = options.healthy + options.others;
    const hanging = sick ? ` (${options.others} hanging)` : "";

    const { perSecond, seconds } = options.steady;
    ctx.log(`${name}: ${perSecond} events/s × ${all} endpoints for ${seconds} s${hanging}`);
    const steadyEvents = Math.round(perSecond * seconds);
    const steady = await othersToo(others, sick, steadyEvents * options.others, () =>
      phase(server, healthy, { events: steadyEvents, first: 0, perSecond }),
    );

    ctx.log(`${name}: a burst of ${options.burst} events × ${all} endpoints${hanging}`);
    const meter = cpuMeter({
      hookline: server.pid,
      receiver: healthy.pid,
      others: others.pid,
      driver: process.pid,
    });
    const burst = await othersToo(others, sick, options.burst * options.others, () =>
      phase(server, healthy, { events: options.burst, first: steadyEvents }),
    );
    const cpu = meter();
    const peakRss = Math.max(sampler(), memory(server.pid).peak);
    const otherAttempts = (await Promise.all(otherIds.map((id) => health(server, id)))).map(
      (h) => h.attempts,
    );
    const healthyFailures = (await Promise.all(healthyIds.map((id) => health(server, id)))).reduce(
      (sum, h) => sum + h.failed,
      0,
    );
    const failures = healthy.failures() + others.failures();
    if (failures > 0) throw new Error(`${name}: ${failures} signatures rejected`);
    return { sick, steady, burst, otherAttempts, healthyFailures, idleRss, peakRss, cpu };
  } finally {
    // The receivers first: attempts hanging on them end at once, so Hookline stops quickly.
    await Promise.all([healthy.stop(), others.stop()]);
    await hookline?.stop();
  }
}

/** In A, the others' deliveries of a phase finish too, so the next phase starts on an empty queue. */
async function othersToo<T>(
  others: Receiver,
  sick: boolean,
  expected: number,
  run: () => Promise<T>,
): Promise<T> {
  if (sick) return run();
  const receipts = others.phase();
  const result = await run();
  await receipts.waitFor(expected, WAIT_MS, "the others");
  receipts.end();
  return result;
}
