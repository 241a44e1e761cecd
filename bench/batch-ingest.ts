import type { Pool } from "undici";
import { warmUpAndLimit } from "./burst.ts";
import { authorization } from "./hookline.ts";
import { closedLoop } from "./load.ts";
import { meterAll, now, type RunContext, setUp, tearDown, toMs, WAIT_MS } from "./setup.ts";
import type { CpuSplit } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface BatchIngestResult {
  events: number;
  batchSize: number;
  clients: number;
  /** The loop: the same number of deliveries at Hookline's per-endpoint cap, same run. */
  limitPerSecond: number;
  complete: boolean;
  delivered: number;
  /** First batch posted to last receipt (or to the end of the wait). */
  wallMs: number;
  perSecond: number;
  /** First batch posted to the answer to the last. */
  acceptedMs: number;
  duplicates: number;
  failures: number;
  cpu: CpuSplit;
}

/**
 * Issue 17's batch shape: `events` events to one endpoint through `POST /v1/events/batch`, in
 * batches of `batchSize` from `clients` concurrent clients, first request to last receipt, next
 * to the undici loop sending the same count in the same run.
 */
export async function batchIngest(
  ctx: RunContext,
  options: { events: number; batchSize: number; clients: number },
): Promise<BatchIngestResult> {
  const { events, batchSize, clients } = options;
  ctx.log("batch: starting the receiver and Hookline");
  const setup = await setUp(ctx, "batch", 1, { clients });
  try {
    const limit = await warmUpAndLimit(ctx, setup, "batch", events);
    const batches: string[] = [];
    for (let first = 0; first < events; first += batchSize) {
      const count = Math.min(batchSize, events - first);
      const items = Array.from({ length: count }, (_, i) => createEventBody(first + i));
      batches.push(`{"events":[${items.join(",")}]}`);
    }
    ctx.log(`batch: hookline, ${events} events in ${batches.length} batches`);
    const phase = setup.receiver.phase();
    const meter = meterAll(setup);
    const start = now();
    await closedLoop(batches.length, clients, async (i) => {
      await postBatch(setup.hookline.api, batches[i]!);
    });
    const accepted = now();
    const complete = await phase.settle(events, WAIT_MS);
    const cpu = meter();
    const end = complete ? phase.last : now();
    phase.end();
    const wallMs = toMs(end - start);
    return {
      events,
      batchSize,
      clients,
      limitPerSecond: limit.perSecond,
      complete,
      delivered: phase.received.size,
      wallMs,
      perSecond: phase.received.size / (wallMs / 1000),
      acceptedMs: toMs(accepted - start),
      duplicates: phase.duplicates,
      failures: setup.receiver.failures(),
      cpu,
    };
  } finally {
    await tearDown(setup);
  }
}

/** One batch; throws unless every item was accepted. */
async function postBatch(api: Pool, body: string): Promise<void> {
  const response = await api.request({
    path: "/v1/events/batch",
    method: "POST",
    headers: { ...authorization, "content-type": "application/json" },
    body,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200 || text.includes('"error"')) {
    throw new Error(`POST /v1/events/batch answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
}
