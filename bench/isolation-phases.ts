/** The load phases of the isolation benchmark, and what it reads from Hookline's health API. */
import { authorization, type Hookline, postEvent } from "./hookline.ts";
import { closedLoop, openLoop } from "./load.ts";
import type { Receiver } from "./receiver.ts";
import { CLIENT_CONCURRENCY, latencies, now, toMs, WAIT_MS } from "./setup.ts";
import { type Distribution, distribution } from "./stats.ts";
import { createEventBody } from "./workload.ts";

/** What the healthy endpoints saw of one phase. */
export interface PhaseResult {
  deliveries: number;
  /** Deliveries over the time from the first request to the last receipt. */
  perSecond: number;
  /** Created (the driver starts the POST) → received (the receiver has the whole request). */
  latency: Distribution;
  duplicates: number;
}

/**
 * Sends `events` events (numbered from `first`), either as fast as 32 clients get them accepted
 * (`perSecond` undefined: a burst) or at a steady rate on a clock, and waits for every delivery
 * to the `healthy` receiver's endpoints.
 */
export async function phase(
  hookline: Hookline,
  healthy: Receiver,
  options: { events: number; first: number; perSecond?: number },
): Promise<PhaseResult> {
  const { events, first, perSecond } = options;
  const bodies = Array.from({ length: events }, (_, n) => createEventBody(first + n));
  const expected = events * healthy.urls.length;
  const t0 = new Map<string, number>();
  const receipts = healthy.phase();
  const post = async (i: number) => {
    const sent = now();
    t0.set(await postEvent(hookline.api, bodies[i]!), sent);
  };
  const start = now();
  if (perSecond === undefined) await closedLoop(events, CLIENT_CONCURRENCY, post);
  else await openLoop(events, perSecond, post);
  await receipts.waitFor(expected, WAIT_MS, "the healthy endpoints");
  receipts.end();
  return {
    deliveries: expected,
    perSecond: expected / (toMs(receipts.last - start) / 1000),
    latency: distribution(latencies(receipts, t0)),
    duplicates: receipts.duplicates,
  };
}

export interface EndpointHealth {
  /** Attempts over the last day (the health report's window). */
  attempts: number;
  failed: number;
  /** Deliveries pending or in flight. */
  open: number;
}

/** One endpoint's health report, reduced to what the benchmark reports. */
export async function health(hookline: Hookline, endpointId: string): Promise<EndpointHealth> {
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

/** Waits until none of these endpoints has a delivery pending or in flight. */
export async function settled(hookline: Hookline, endpointIds: string[]): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const reports = await Promise.all(endpointIds.map((id) => health(hookline, id)));
    if (reports.every((r) => r.open === 0)) return;
    if (performance.now() > deadline) throw new Error("deliveries still open after the wait");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
