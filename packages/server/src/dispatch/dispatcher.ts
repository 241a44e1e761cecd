import {
  afterAttempt,
  type BreakerPolicy,
  CircuitState,
  CLOSED,
  DEFAULT_BREAKER,
} from "../domain/circuit-breaker.ts";
import { decide } from "../domain/decide.ts";
import { DeliveryStatus } from "../domain/delivery-status.ts";
import { DEFAULT_LADDER, type LadderPolicy } from "../domain/health-ladder.ts";
import { IdPrefix, newId } from "../ids.ts";
import type { AttemptResult, ClaimedDelivery, HealthChange, Store } from "../store/types.ts";
import {
  adjustWindow,
  isForgettable,
  isFull,
  type Lane,
  newLane,
  next,
  queueBound,
} from "./lane.ts";
import type { DispatchObserver } from "./observer.ts";
import { AttemptErrorKind, type SendOutcome, unsentFailure } from "./outcome.ts";
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
  /**
   * An attempt unanswered this long is "stalled": it stops counting toward `maxInFlight` (a
   * hanging socket costs no CPU, and must not starve healthy endpoints of slots) and its
   * endpoint starts nothing new until an attempt ends. Default 1 s.
   */
  stallMs?: number;
  /** The failure ladder's thresholds. */
  ladder?: LadderPolicy;
  /** The circuit breaker's thresholds. */
  breaker?: BreakerPolicy;
  /** Called once outcomes that disabled endpoints are in the store. */
  onEndpointsDisabled?: () => void;
  /** Steps endpoints took on the failure ladder, once recorded (for operational events). */
  onHealthChanges?: (changes: HealthChange[]) => void;
  /** Deliveries whose retries ran out, once recorded (for operational events). */
  onExhausted?: (deliveries: ExhaustedDelivery[]) => void;
  /** Told of each attempt as it starts and ends (metrics, logs). */
  observe?: DispatchObserver;
  /** Which endpoints are listen sessions, and whether a listener is connected to one. */
  listen?: ListenRules;
}

/**
 * Listen sessions (`hookline listen`, listen/hub.ts) are endpoints with three rules of their own:
 * their lane is serial (lane.ts); their deliveries are never claimed at insert, where a new one
 * could pass older ones still due (the claim hands them out oldest first); and while no listener
 * is connected they wait without an attempt, so a sleeping laptop burns no retries.
 */
export interface ListenRules {
  /** True for a listen session: by its URL when given, else as the API registered it. */
  isSession(endpointId: string, url?: string): boolean;
  isConnected(url: string): boolean;
}

/**
 * How often deliveries waiting for a listener are looked at again. Connecting resumes them at
 * once (store.resumeEndpoint); this only bounds the wait when another node holds the stream.
 */
const LISTENER_RECHECK_MS = 10_000;

export interface ExhaustedDelivery {
  tenantId: string;
  deliveryId: string;
  eventType: string;
}

export interface Dispatcher {
  start(): Promise<void>;
  /** New deliveries are due: look now instead of at the next poll. */
  wake(): void;
  /** Closes this node's circuit for an endpoint (re-enabled or recovered by an operator). */
  resetEndpoint(endpointId: string): void;
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

/**
 * The dispatcher: claims due deliveries in batches under a lease, runs at most `maxInFlight`
 * attempts at once and, per endpoint, at most `maxInFlightPerEndpoint`, within its rate limit,
 * and none while its circuit is open (a slow or dead endpoint only slows itself). It turns each
 * outcome into state with `decide` and commits outcomes in batches.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, sender, log, clock } = options;
  const pollMs = options.pollMs ?? 1000;
  const claimBatch = options.claimBatch ?? 200;
  const ladder = options.ladder ?? DEFAULT_LADDER;
  const breaker = options.breaker ?? DEFAULT_BREAKER;
  const perEndpoint = options.maxInFlightPerEndpoint;
  const stallMs = options.stallMs ?? 1000;
  const lanes = new Map<string, Lane>();
  /** Lanes with queued deliveries waiting for a global slot. */
  const blocked = new Set<string>();
  let active = 0;
  /** Attempts past `stallMs` without an answer: running, but not counted in `active`. */
  let stalled = 0;
  let queued = 0;
  let results: AttemptResult[] = [];
  let exhausted: ExhaustedDelivery[] = [];
  let started = false;
  let stopping = false;
  let claiming = false;
  /**
   * Whether the store may hold due deliveries this node has not claimed. A finishing attempt
   * pumps only while it is set: at a low rate every delivery is claimed at insert, and an empty
   * claim transaction after each attempt was the dispatcher's largest cost. Cleared just before
   * a claim that can see everything due; set by whatever may make deliveries due (ingest's wake,
   * another node's commit, a release, a reclaim) and by a claim that could not take all.
   */
  let mayHaveDue = true;
  let pumpAgain = false;
  let pumpScheduled = false;
  let flushScheduled = false;
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let reclaimTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
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
        // Stalled attempts free their slot, but sockets stay bounded at 4× the cap.
        const free = Math.min(
          options.maxInFlight - active - queued,
          4 * options.maxInFlight - active - stalled - queued,
        );
        if (free <= 0) {
          mayHaveDue = true;
          break;
        }
        const limit = Math.min(free, claimBatch);
        const now = clock();
        const excluded = fullEndpoints(now);
        mayHaveDue = false;
        const claimed = await store.claimDue({
          now,
          limit,
          leaseUntil: now + options.leaseMs,
          owner: options.owner,
          excludeEndpoints: excluded,
          perEndpoint,
        });
        for (const delivery of claimed) enqueue(delivery);
        // Full lanes' deliveries were not looked at; a full batch may have left more behind.
        if (claimed.length >= limit || excluded.length > 0) mayHaveDue = true;
        if (claimed.length < limit || stopping) break;
      }
    } catch (error) {
      mayHaveDue = true;
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
    mayHaveDue = true;
    if (pumpScheduled || stopping) return;
    pumpScheduled = true;
    setImmediate(() => void pump());
  }

  function fullEndpoints(now: number): string[] {
    const full: string[] = [];
    for (const [id, lane] of lanes) if (isFull(lane, now, perEndpoint, stallMs)) full.push(id);
    return full;
  }

  function enqueue(delivery: ClaimedDelivery): void {
    let lane = lanes.get(delivery.endpointId);
    if (lane === undefined) {
      lane = newLane();
      lanes.set(delivery.endpointId, lane);
    }
    lane.rateLimit = delivery.rateLimit;
    lane.serial = options.listen?.isSession(delivery.endpointId, delivery.url) ?? false;
    if (lane.serial && !options.listen?.isConnected(delivery.url)) {
      giveBack([delivery], clock() + LISTENER_RECHECK_MS);
      return;
    }
    if (lane.queue.length >= queueBound(lane, perEndpoint, options.leaseMs)) {
      // A serial lane keeps its order: what is given back and whatever else of the endpoint is
      // already due get one due time, so the next claims take them in creation order.
      giveBack([delivery], clock(), lane.serial ? delivery.endpointId : undefined);
      return;
    }
    lane.queue.push(delivery);
    queued++;
    drain(delivery.endpointId, lane);
  }

  /** Starts what the lane allows now; gives its queue back while the circuit is open. */
  function drain(endpointId: string, lane: Lane): void {
    for (;;) {
      // Deliveries claimed at insert arrive without a global check: they wait here for a slot.
      if (active >= options.maxInFlight && lane.queue.length > 0) {
        blocked.add(endpointId);
        return;
      }
      const step = next(lane, clock(), perEndpoint, stallMs);
      if (step.kind === "run") {
        queued--;
        run(step.delivery, lane);
      } else if (step.kind === "give_back") {
        queued -= step.deliveries.length;
        giveBack(step.deliveries, step.dueAt);
        return;
      } else {
        if (step.kind === "wait" && lane.wake === undefined && !stopping) {
          lane.wake = setTimeout(() => {
            lane.wake = undefined;
            if (stopping) return;
            drain(endpointId, lane);
            schedulePump();
          }, step.waitMs);
          lane.wake.unref();
        }
        return;
      }
    }
  }

  // Deliveries given back together are released in one statement.
  let returning: { ids: string[]; dueAt: number }[] = [];
  let aligning = new Map<string, number>();
  function giveBack(deliveries: ClaimedDelivery[], dueAt: number, alignEndpoint?: string): void {
    if (deliveries.length === 0) return;
    if (returning.length === 0) setImmediate(releaseReturned);
    returning.push({ ids: deliveries.map((d) => d.id), dueAt });
    if (alignEndpoint !== undefined) aligning.set(alignEndpoint, dueAt);
  }

  function releaseReturned(): void {
    const batches = returning;
    const align = aligning;
    returning = [];
    aligning = new Map();
    for (const { ids, dueAt } of batches) {
      store
        .releaseDeliveries(ids, options.owner, dueAt, clock())
        .then(() => {
          mayHaveDue = true;
          return scheduleTimer();
        })
        // Not released means still leased to us: the lease expires and another claim takes it.
        .catch((error: unknown) => log.error({ err: error }, "giving deliveries back failed"));
    }
    for (const [endpointId, dueAt] of align) {
      store
        .deferEndpoint(endpointId, dueAt, clock())
        .catch((error: unknown) => log.error({ err: error }, "ordering a serial lane failed"));
    }
  }

  function run(delivery: ClaimedDelivery, lane: Lane): void {
    active++;
    lane.active++;
    const startedAt = clock();
    lane.starts.push(startedAt);
    let isStalled = false;
    const stall = setTimeout(() => {
      isStalled = true;
      active--;
      stalled++;
      // The lane may now be stalled: its queue goes back rather than waiting behind a hang.
      if (!stopping) drain(delivery.endpointId, lane);
      releaseBlocked();
      schedulePump();
    }, stallMs);
    stall.unref();
    options.observe?.attemptStarted(delivery);
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
        return unsentFailure(String(error));
      })
      .then((outcome) => complete(delivery, outcome, startedAt, lane))
      .finally(() => {
        clearTimeout(stall);
        if (isStalled) stalled--;
        else active--;
        lane.active--;
        lane.starts.splice(lane.starts.indexOf(startedAt), 1);
        lane.lastEnd = clock();
        // While stopping, queued deliveries stay queued: stop() gives their leases back.
        if (!stopping) {
          drain(delivery.endpointId, lane);
          releaseBlocked();
        }
        if (isForgettable(lane, clock())) lanes.delete(delivery.endpointId);
        if (active + stalled === 0) idle?.();
        // The freed slot takes what the store holds, if it may hold anything.
        if (mayHaveDue) schedulePump();
      });
  }

  /** Lets lanes that waited for a global slot start, while slots last. */
  function releaseBlocked(): void {
    for (const id of blocked) {
      if (active >= options.maxInFlight || stopping) return;
      blocked.delete(id);
      const lane = lanes.get(id);
      if (lane !== undefined) drain(id, lane);
    }
  }

  /** Feeds an outcome to the endpoint's circuit; when it opens, its backlog waits for the probe. */
  function trip(delivery: ClaimedDelivery, outcome: SendOutcome, lane: Lane, now: number): void {
    const before = lane.circuit;
    const answered = !isEndpointFailure(outcome);
    adjustWindow(lane, answered, perEndpoint);
    lane.circuit = afterAttempt(before, answered, now, breaker);
    const opened =
      lane.circuit.state === CircuitState.open && lane.circuit.openUntil !== before.openUntil;
    if (!opened) {
      if (before.state !== CircuitState.closed && lane.circuit.state === CircuitState.closed) {
        log.info({ endpoint_id: delivery.endpointId }, "circuit closed: the probe succeeded");
      }
      return;
    }
    const until = lane.circuit.openUntil;
    log.warn(
      { endpoint_id: delivery.endpointId, failures: lane.circuit.failures, until: new Date(until) },
      "circuit open: the endpoint's deliveries wait for a probe",
    );
    queued -= lane.queue.length;
    giveBack(lane.queue.splice(0), until);
    store
      .deferEndpoint(delivery.endpointId, until, now)
      .catch((error: unknown) =>
        log.error({ err: error }, "deferring an endpoint's backlog failed"),
      );
  }

  function complete(
    delivery: ClaimedDelivery,
    outcome: SendOutcome,
    startedAt: number,
    lane: Lane,
  ): void {
    const now = clock();
    trip(delivery, outcome, lane, now);
    const attemptCount = delivery.attemptCount + 1;
    const decision = decide({
      outcome,
      attempts: attemptCount,
      schedule: options.schedule,
      now,
      random: options.random,
    });
    options.observe?.attemptFinished(delivery, outcome, decision.status);
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
    // Operational events about operational events would feed on themselves.
    if (decision.status === DeliveryStatus.failed && !delivery.eventType.startsWith("hookline.")) {
      exhausted.push({
        tenantId: delivery.tenantId,
        deliveryId: delivery.id,
        eventType: delivery.eventType,
      });
    }
    results.push({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      status: decision.status,
      attemptCount,
      nextAttemptAt: decision.nextAttemptAt,
      disableEndpoint: decision.disableEndpoint,
      leaseOwner: options.owner,
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
    const ranOut = exhausted;
    results = [];
    exhausted = [];
    let changes: HealthChange[];
    try {
      changes = await store.recordResults(batch, clock(), ladder);
    } catch (error) {
      // Not recorded means still in flight in the store: the lease expires and the delivery is
      // attempted again. Keep the batch and try once more before relying on that.
      log.error({ err: error, count: batch.length }, "recording attempt outcomes failed");
      results = batch.concat(results);
      exhausted = ranOut.concat(exhausted);
      setTimeout(scheduleFlush, 1000).unref();
      return;
    }
    // Ingest caches endpoints and claims at insert: it must learn of a disable at once.
    if (changes.some((c) => c.transition === "disabled")) options.onEndpointsDisabled?.();
    if (changes.length > 0) options.onHealthChanges?.(changes);
    if (ranOut.length > 0) options.onExhausted?.(ranOut);
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
      // Other nodes' commits (PostgreSQL): wake as this node's own ingest would.
      unsubscribe = store.onDeliveriesDue?.(schedulePump);
      await pump();
    },
    wake: schedulePump,
    resetEndpoint(endpointId) {
      const lane = lanes.get(endpointId);
      if (lane !== undefined) lane.circuit = CLOSED;
    },
    hasRoom(endpointId) {
      if (stopping || active + queued >= options.maxInFlight) return false;
      if (options.listen?.isSession(endpointId)) return false;
      const lane = lanes.get(endpointId);
      return lane === undefined || !isFull(lane, clock(), perEndpoint, stallMs);
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
      unsubscribe?.();
      for (const lane of lanes.values()) if (lane.wake !== undefined) clearTimeout(lane.wake);
      if (active + stalled > 0) {
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

/**
 * Failures that say the endpoint itself is sick (no answer, refused, 5xx, 429) and count toward
 * its circuit; a 4xx is an answer about one event from a live server.
 */
function isEndpointFailure(outcome: SendOutcome): boolean {
  if (outcome.kind === "delivered") return false;
  if (outcome.error !== AttemptErrorKind.httpStatus) return true;
  const status = outcome.status ?? 0;
  return status >= 500 || status === 429;
}
