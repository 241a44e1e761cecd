import { authorization, postEvent } from "./hookline.ts";
import { closedLoop } from "./load.ts";
import { CLIENT_CONCURRENCY, type RunContext, setUp, tearDown } from "./setup.ts";
import { memory, rssSampler } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface BacklogResult {
  events: number;
  endpoints: number;
  /** Deliveries not finished (pending or in flight) once every event was accepted. */
  unfinished: number;
  idleRss: number;
  /** Highest resident set over the whole life of the process (VmHWM), ingest included. */
  peakRss: number;
  /** Resident set a few seconds after the last event, the backlog still there. */
  settledRss: number;
}

/**
 * Memory with a large backlog: `events` events to `endpoints` endpoints whose receiver accepts
 * connections and never answers (a stalled receiver, with a delivery timeout of 5 minutes). The
 * dispatcher holds its 256 attempts in flight and every other delivery stays pending in the store,
 * which is what a long outage of popular endpoints looks like.
 */
export async function backlog(
  ctx: RunContext,
  options: { events: number; endpoints: number; settleMs: number },
): Promise<BacklogResult> {
  const { events, endpoints } = options;
  ctx.log(`backlog: starting a stalled receiver and Hookline`);
  // The build, as deployed: memory is what a deployment holds, without the tsx loader that
  // the other scenarios run under.
  const setup = await setUp(ctx, "backlog", endpoints, {
    hang: true,
    args: ["--timeout", "5m"],
    built: true,
  });
  try {
    const sampler = rssSampler(setup.hookline.pid);
    ctx.log(`backlog: ${events} events × ${endpoints} endpoints`);
    await closedLoop(events, CLIENT_CONCURRENCY, async (i) => {
      await postEvent(setup.hookline.api, createEventBody(i));
    });
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    const settledRss = memory(setup.hookline.pid).rss;
    const peakRss = Math.max(sampler(), memory(setup.hookline.pid).peak);
    // Count what is unfinished through the API rather than assume it: every event's
    // pending_webhooks, a page of 100 at a time.
    let unfinished = 0;
    let after: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const query = `limit=100${after === undefined ? "" : `&starting_after=${after}`}`;
      const response = await setup.hookline.api.request({
        path: `/v1/events?${query}`,
        method: "GET",
        headers: authorization,
      });
      const list = (await response.body.json()) as {
        data: { id: string; pending_webhooks: number }[];
        has_more: boolean;
      };
      for (const event of list.data) unfinished += event.pending_webhooks;
      after = list.data.at(-1)?.id;
      if (!list.has_more || after === undefined) break;
    }
    return {
      events,
      endpoints,
      unfinished,
      idleRss: setup.idleRss,
      peakRss,
      settledRss,
    };
  } finally {
    await tearDown(setup);
  }
}
