import { warmUpAndLimit } from "./burst.ts";
import { postEvent } from "./hookline.ts";
import { closedLoop } from "./load.ts";
import { NEW_USER_CLIENTS, now, type RunContext, setUp, tearDown, toMs, WAIT_MS } from "./setup.ts";
import { cpuMs, threadCpuMs } from "./system.ts";
import { createEventBody } from "./workload.ts";

export interface DrainResult {
  events: number;
  /** The loop: the same number of deliveries, back to back at Hookline's per-endpoint cap. */
  limitPerSecond: number;
  /** Deliveries the recover call queued again (every held one, or the run fails). */
  requeued: number;
  /** How long the recover call itself took to answer. */
  recoverMs: number;
  complete: boolean;
  delivered: number;
  /** From the recover call to the last receipt (or to the end of the wait). */
  wallMs: number;
  perSecond: number;
  failures: number;
  /**
   * CPU per delivery, µs (user + system): Hookline's process over the drain, all threads and
   * split as its main thread, its busiest other thread (the sender) and the rest (V8's GC
   * helpers, the WAL checkpointer); the loop's sender (this driver) over the loop; the receiver
   * in each. Unlike the rates, these hardly move with what else runs on the machine.
   */
  cpuUs: {
    hookline: { all: number; main: number; sender: number; rest: number };
    loop: number;
    receiverHookline: number;
    receiverLoop: number;
  };
}

/**
 * Backlog drain, the dispatcher alone: `events` events posted while their one endpoint is
 * disabled (each delivery recorded `skipped`), then the endpoint enabled and
 * `POST /v1/webhook_endpoints/{id}/recover` with `since: 0`. No ingest runs while it drains, so
 * the rate from the recover call to the last receipt is the claim → send → record loop's own,
 * next to the undici loop sending the same count.
 */
export async function drain(ctx: RunContext, options: { events: number }): Promise<DrainResult> {
  const { events } = options;
  ctx.log("drain: starting the receiver and Hookline");
  const setup = await setUp(ctx, "drain", 1, { clients: NEW_USER_CLIENTS });
  const endpoint = setup.endpointIds[0]!;
  try {
    const limit = await warmUpAndLimit(ctx, setup, "drain", events);
    ctx.log(`drain: hookline, ${events} events held while the endpoint is disabled`);
    const phase = setup.receiver.phase();
    await setup.hookline.setDisabled(endpoint, true);
    await closedLoop(events, setup.clients, async (i) => {
      await postEvent(setup.hookline.api, createEventBody(i));
    });
    await setup.hookline.setDisabled(endpoint, false);
    if (phase.received.size > 0) {
      throw new Error(
        `drain: ${phase.received.size} deliveries arrived while the endpoint was disabled`,
      );
    }
    ctx.log("drain: enabled; recover since 0");
    const threadsBefore = threadCpuMs(setup.hookline.pid);
    const receiverBefore = cpuMs(setup.receiver.pid);
    const start = now();
    const requeued = await setup.hookline.recover(endpoint, 0);
    const recoverMs = toMs(now() - start);
    if (requeued !== events) throw new Error(`drain: recover requeued ${requeued} of ${events}`);
    const complete = await phase.settle(events, WAIT_MS);
    const end = complete ? phase.last : now();
    const perDelivery = (ms: number) => (1000 * ms) / Math.max(1, phase.received.size);
    const hooklineCpu = splitThreads(setup.hookline.pid, threadsBefore, perDelivery);
    const receiverCpu = perDelivery(cpuMs(setup.receiver.pid) - receiverBefore);
    phase.end();
    const wallMs = toMs(end - start);
    return {
      events,
      limitPerSecond: limit.perSecond,
      requeued,
      recoverMs,
      complete,
      delivered: phase.received.size,
      wallMs,
      perSecond: phase.received.size / (wallMs / 1000),
      failures: setup.receiver.failures(),
      cpuUs: {
        hookline: hooklineCpu,
        receiverHookline: receiverCpu,
        loop: (1000 * (limit.cpu.usedMs.driver ?? 0)) / limit.deliveries,
        receiverLoop: (1000 * (limit.cpu.usedMs.receiver ?? 0)) / limit.deliveries,
      },
    };
  } finally {
    await tearDown(setup);
  }
}

/** A process's CPU since `before`, per delivery: all of it, its main thread, the busiest other. */
function splitThreads(
  pid: number,
  before: Map<number, number>,
  perDelivery: (ms: number) => number,
): { all: number; main: number; sender: number; rest: number } {
  const used = [...threadCpuMs(pid)].map(([tid, ms]) => ({ tid, ms: ms - (before.get(tid) ?? 0) }));
  const all = used.reduce((sum, t) => sum + t.ms, 0);
  const main = used.find((t) => t.tid === pid)?.ms ?? 0;
  const sender = Math.max(0, ...used.filter((t) => t.tid !== pid).map((t) => t.ms));
  return {
    all: perDelivery(all),
    main: perDelivery(main),
    sender: perDelivery(sender),
    rest: perDelivery(all - main - sender),
  };
}
