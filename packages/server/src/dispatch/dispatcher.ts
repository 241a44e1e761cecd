import { decide } from "../domain/decide.ts";
import { IdPrefix, newId } from "../ids.ts";
import type { AttemptResult, ClaimedDelivery, Store } from "../store/types.ts";
import type { SendOutcome } from "./outcome.ts";
import type { Sender } from "./send.ts";

export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DispatcherOptions {
  store: Store;
  sender: Sender;
  /** Waits between attempts, ms. */
  schedule: readonly number[];
  maxInFlight: number;
  maxInFlightPerEndpoint: number;
  /** How long a claim holds a delivery before another claim may take it (its holder died). */
  leaseMs: number;
  /** This process's name on its leases. */
  owner: string;
  clock: () => number;
  random: () => number;
  log: Logger;
  /** Longest sleep between looks at the store when nothing wakes the dispatcher. Default 1 s. */
  pollMs?: number;
  /** Claim at most this many deliveries per query. Default 200. */
  claimBatch?: number;
  /** Called once outcomes that disabled endpoints (410 Gone) are in the store. */
  onEndpointsDisabled?: () => void;
}

export interface Dispatcher {
  start(): Promise<void>;
  /** New deliveries are due: look now instead of at the next poll. */
  wake(): void;
  /** True when a delivery to this endpoint could start now on this node (claim at insert). */
  hasRoom(endpointId: string): boolean;
  /** Runs deliveries that ingest inserted already leased to `owner`. */
  adopt(deliveries: ClaimedDelivery[]): void;
  readonly owner: string;
  readonly leaseMs: number;
  /** Stops claiming, lets attempts in flight finish for up to `graceMs`, gives the rest back. */
  stop(graceMs: number): Promise<void>;
  running(): boolean;
}

interface EndpointSlots {
  active: number;
  queue: ClaimedDelivery[];
}

/**
 * The dispatcher: claims due deliveries in batches under a lease, runs at most `maxInFlight`
 * attempts at once and at most `maxInFlightPerEndpoint` per endpoint (a slow endpoint only slows
 * itself), turns each outcome into state with `decide`, and commits outcomes in batches.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, sender, log, clock } = options;
  const pollMs = options.pollMs ?? 1000;
  const claimBatch = options.claimBatch ?? 200;
  const endpoints = new Map<string, EndpointSlots>();
  let active = 0;
  let queued = 0;
  let results: AttemptResult[] = [];
  let started = false;
  let stopping = false;
  let claiming = false;
  let pumpAgain = false;
  let pumpScheduled = false;
  let flushScheduled = false;
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let reclaimTimer: NodeJS.Timeout | undefined;
  let idle: (() => void) | undefined;

  async function pump(): Promise<void> {
    pumpScheduled = false;
    if (stopping) return;
    if (claiming) {
      pumpAgain = true;
      return;
    }
    claiming = true;
    try {
      for (;;) {
        const free = options.maxInFlight - active - queued;
        if (free <= 0) break;
        const limit = Math.min(free, claimBatch);
        const now = clock();
        const claimed = await store.claimDue({
          now,
          limit,
          leaseUntil: now + options.leaseMs,
          owner: options.owner,
          excludeEndpoints: saturatedEndpoints(),
        });
        for (const delivery of claimed) enqueue(delivery);
        if (claimed.length < limit || stopping) break;
      }
    } catch (error) {
      log.error({ err: error }, "claiming due deliveries failed; retrying at the next poll");
    } finally {
      claiming = false;
    }
    if (pumpAgain) {
      pumpAgain = false;
      schedulePump();
    }
    // An armed timer stays: it is re-armed earlier whenever outcomes schedule a retry (flush),
    // so reading the next due time after every pump would only repeat the same answer.
    if (timer === undefined) await scheduleTimer();
  }

  function schedulePump(): void {
    if (pumpScheduled || stopping) return;
    pumpScheduled = true;
    setImmediate(() => void pump());
  }

  function saturatedEndpoints(): string[] {
    const full: string[] = [];
    for (const [id, slots] of endpoints) {
      if (slots.active + slots.queue.length >= options.maxInFlightPerEndpoint) full.push(id);
    }
    return full;
  }

  function enqueue(delivery: ClaimedDelivery): void {
    let slots = endpoints.get(delivery.endpointId);
    if (slots === undefined) {
      slots = { active: 0, queue: [] };
      endpoints.set(delivery.endpointId, slots);
    }
    if (slots.active < options.maxInFlightPerEndpoint) run(delivery, slots);
    else {
      slots.queue.push(delivery);
      queued++;
    }
  }

  function run(delivery: ClaimedDelivery, slots: EndpointSlots): void {
    active++;
    slots.active++;
    const startedAt = clock();
    sender
      .send({
        url: delivery.url,
        body: delivery.payload,
        eventId: delivery.eventId,
        secrets: delivery.secrets,
        scheme: delivery.signatureSchemes,
      })
      .catch((error: unknown): SendOutcome => {
        log.error(
          { err: error, delivery_id: delivery.id },
          "the sender threw; recording the attempt as failed",
        );
        return {
          kind: "failed",
          retryable: true,
          error: "unknown",
          message: String(error),
          requestHeaders: {},
          durationMs: 0,
        };
      })
      .then((outcome) => complete(delivery, outcome, startedAt))
      .finally(() => {
        active--;
        slots.active--;
        // While stopping, queued deliveries stay queued: stop() gives their leases back.
        const next = stopping ? undefined : slots.queue.shift();
        if (next !== undefined) {
          queued--;
          run(next, slots);
        } else if (slots.active === 0 && slots.queue.length === 0) {
          endpoints.delete(delivery.endpointId);
        }
        if (active === 0) idle?.();
        schedulePump();
      });
  }

  function complete(delivery: ClaimedDelivery, outcome: SendOutcome, startedAt: number): void {
    const now = clock();
    const attemptCount = delivery.attemptCount + 1;
    const decision = decide({
      outcome,
      attempts: attemptCount,
      schedule: options.schedule,
      now,
      random: options.random,
    });
    const context = {
      delivery_id: delivery.id,
      event_id: delivery.eventId,
      endpoint_id: delivery.endpointId,
    };
    if (outcome.kind === "failed") {
      log.info(
        {
          ...context,
          attempt: attemptCount,
          error: outcome.error,
          status: outcome.status,
          next: decision.status,
        },
        `attempt failed: ${outcome.message}`,
      );
    }
    if (decision.disableEndpoint) log.warn(context, "endpoint answered 410 Gone: disabling it");
    results.push({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      status: decision.status,
      attemptCount,
      nextAttemptAt: decision.nextAttemptAt,
      disableEndpoint: decision.disableEndpoint,
      attempt: {
        id: newId(IdPrefix.attempt),
        deliveryId: delivery.id,
        createdAt: startedAt,
        durationMs: Math.round(outcome.durationMs),
        statusCode: outcome.status ?? null,
        responseBody: outcome.responseBody ?? null,
        errorKind: outcome.kind === "failed" ? outcome.error : null,
        errorMessage: outcome.kind === "failed" ? outcome.message : null,
        requestHeaders: outcome.requestHeaders,
      },
    });
    scheduleFlush();
  }

  // Outcomes that finish in the same turn of the event loop are committed in one transaction.
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      flushing = flushing.then(flush);
    });
  }

  async function flush(): Promise<void> {
    if (results.length === 0) return;
    const batch = results;
    results = [];
    try {
      await store.recordResults(batch, clock());
    } catch (error) {
      // Not recorded means still in flight in the store: the lease expires and the delivery is
      // attempted again. Keep the batch and try once more before relying on that.
      log.error({ err: error, count: batch.length }, "recording attempt outcomes failed");
      results = batch.concat(results);
      setTimeout(scheduleFlush, 1000).unref();
      return;
    }
    // Ingest caches enabled endpoints and claims at insert: it must learn of a disable at once.
    if (batch.some((r) => r.disableEndpoint)) options.onEndpointsDisabled?.();
    if (batch.some((r) => r.nextAttemptAt !== null)) await scheduleTimer();
  }

  async function scheduleTimer(): Promise<void> {
    if (stopping) return;
    let delay = pollMs;
    try {
      const due = await store.nextDueAt();
      const now = clock();
      // A delivery already due that could not be claimed waits for a free slot: a finishing
      // attempt pumps again, so only future due times shorten the sleep.
      if (due !== undefined && due > now) delay = Math.min(due - now, pollMs);
    } catch (error) {
      log.error({ err: error }, "reading the next due time failed");
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        void pump();
      },
      Math.max(delay, 1),
    );
    timer.unref();
  }

  async function reclaim(): Promise<void> {
    try {
      const count = await store.reclaimExpired(clock());
      if (count > 0) {
        log.warn({ count }, "reclaimed deliveries whose lease expired");
        schedulePump();
      }
    } catch (error) {
      log.error({ err: error }, "reclaiming expired leases failed");
    }
  }

  return {
    async start() {
      started = true;
      await reclaim();
      reclaimTimer = setInterval(
        () => void reclaim(),
        Math.max(1000, Math.floor(options.leaseMs / 4)),
      );
      reclaimTimer.unref();
      await pump();
    },
    wake: schedulePump,
    hasRoom(endpointId) {
      if (stopping || active + queued >= options.maxInFlight) return false;
      const slots = endpoints.get(endpointId);
      return (
        slots === undefined || slots.active + slots.queue.length < options.maxInFlightPerEndpoint
      );
    },
    adopt(deliveries) {
      // Were we stopping meanwhile, these stay leased to us in the store: stop() releases them.
      if (stopping) return;
      for (const delivery of deliveries) enqueue(delivery);
    },
    owner: options.owner,
    leaseMs: options.leaseMs,
    running: () => started && !stopping,
    async stop(graceMs) {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      if (reclaimTimer !== undefined) clearInterval(reclaimTimer);
      if (active > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
      flushing = flushing.then(flush);
      await flushing;
      const released = await store.releaseLeases(options.owner, clock());
      if (released > 0) log.info({ count: released }, "gave unfinished deliveries back");
      await sender.close();
    },
  };
}
