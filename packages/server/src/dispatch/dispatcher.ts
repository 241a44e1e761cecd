import {
  atTime,
  type BreakerPolicy,
  type Circuit,
  CircuitState,
  CLOSED,
  DEFAULT_BREAKER,
} from "../domain/circuit-breaker.ts";
import { DEFAULT_LADDER, type LadderPolicy } from "../domain/health-ladder.ts";
import type { ClaimedDelivery, HealthChange, Store } from "../store/types.ts";
import { type Claimer, createClaimer } from "./claimer.ts";
import { createDueTimer } from "./due-timer.ts";
import { createGiveBack } from "./give-back.ts";
import {
  allowed,
  isForgettable,
  isHungry,
  isStalled,
  type Lane,
  type LaneLimits,
  newLane,
} from "./lane.ts";
import { createLaneRunner } from "./lane-runner.ts";
import type { Logger } from "./logger.ts";
import type { DispatchObserver } from "./observer.ts";
import { createRecorder, type ExhaustedDelivery } from "./recorder.ts";
import type { Sender } from "./send.ts";
import { createStoreRetry } from "./store-retry.ts";

export type { Logger } from "./logger.ts";
export type { ExhaustedDelivery } from "./recorder.ts";

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

/** What the simulation test and the health report read of a dispatcher's state. */
export interface DispatcherView {
  /** Attempts running and counted against `maxInFlight` (stalled ones are not). */
  active: number;
  stalled: number;
  queued: number;
  /** The store may hold due deliveries of endpoints whose lanes are not marked. */
  unknown: boolean;
  /** A claim is running or will run within this turn. */
  claiming: boolean;
  /** The last claim failed: the next waits for its backoff. */
  backingOff: boolean;
  lanes: Map<
    string,
    {
      active: number;
      queued: number;
      allowed: number;
      stalled: boolean;
      hungry: boolean;
      /** The store may hold due deliveries of this endpoint (claimer.ts). */
      mayHaveMore: boolean;
      circuit: Circuit;
    }
  >;
}

export interface Dispatcher {
  start(): Promise<void>;
  /**
   * Deliveries are due now: of these endpoints (ingest left them pending), or of any endpoint
   * when none are named (a retry, a recovery). Claims within this turn when there is room.
   */
  wake(endpointIds?: Iterable<string>): void;
  /** Closes this node's circuit for an endpoint (re-enabled or recovered by an operator). */
  resetEndpoint(endpointId: string): void;
  /** True when a delivery to this endpoint could start now on this node (claim at insert). */
  hasRoom(endpointId: string): boolean;
  /** Runs deliveries that ingest inserted already leased to `owner`. */
  adopt(deliveries: ClaimedDelivery[]): void;
  /** This node's circuit for an endpoint, when it has one open or half-open. */
  circuitOf(endpointId: string): Circuit | undefined;
  readonly owner: string;
  readonly leaseMs: number;
  /** Stops claiming, lets attempts in flight finish for up to `graceMs`, gives the rest back. */
  stop(graceMs: number): Promise<void>;
  running(): boolean;
  view(): DispatcherView;
}

/**
 * The dispatcher: claims due deliveries under a lease (claimer.ts), runs at most `maxInFlight`
 * attempts at once and, per endpoint, what its lane allows (lane-runner.ts: slow start, circuit,
 * rate limit, stalls), and commits outcomes in batches (recorder.ts). This file wires them.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, log, clock } = options;
  const limits: LaneLimits = {
    perEndpoint: options.maxInFlightPerEndpoint,
    stallMs: options.stallMs ?? 1000,
    leaseMs: options.leaseMs,
    breaker: options.breaker ?? DEFAULT_BREAKER,
  };
  const lanes = new Map<string, Lane>();
  let started = false;
  let stopping = false;
  let reclaimTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const laneOf = (endpointId: string): Lane => {
    let lane = lanes.get(endpointId);
    if (lane === undefined) {
      lane = newLane();
      lanes.set(endpointId, lane);
    }
    return lane;
  };

  const dueTimer = createDueTimer({
    pollMs: options.pollMs ?? 1000,
    clock,
    nextDueAt: () => store.nextDueAt(),
    onDue: (endpointIds) => claimer.markDue(endpointIds),
  });
  const giveBack = createGiveBack({
    store,
    owner: options.owner,
    clock,
    log,
    onReleased: (endpointIds, dueAt) => {
      for (const id of endpointIds) dueTimer.expect(dueAt, id);
    },
  });
  const recorder = createRecorder({
    store,
    ladder: options.ladder ?? DEFAULT_LADDER,
    clock,
    log,
    onRecorded(batch, changes, exhausted) {
      // Ingest caches endpoints and claims at insert: it must learn of a disable at once.
      if (changes.some((c) => c.transition === "disabled")) options.onEndpointsDisabled?.();
      if (changes.length > 0) options.onHealthChanges?.(changes);
      if (exhausted.length > 0) options.onExhausted?.(exhausted);
      const freed: string[] = [];
      for (const result of batch) {
        if (result.nextAttemptAt !== null) dueTimer.expect(result.nextAttemptAt, result.endpointId);
        else if (result.ordered === true) freed.push(result.endpointId);
      }
      // A keyed delivery that finished frees its key: the next of it is due now, and the claim
      // that passed it over cleared the lane's mark (WORK CONSERVATION, claimer.ts).
      if (freed.length > 0) claimer.markDue(freed);
    },
  });
  const runner = createLaneRunner({
    sender: options.sender,
    lanes,
    laneOf,
    limits,
    maxInFlight: options.maxInFlight,
    schedule: options.schedule,
    owner: options.owner,
    clock,
    random: options.random,
    log,
    observe: options.observe,
    listen: options.listen,
    giveBack,
    recorder,
    onSlotFreed: () => claimer.poke(),
    onLaneIdle: (endpointId, lane) => {
      if (!isForgettable(lane, clock(), limits)) return;
      lanes.delete(endpointId);
    },
  });
  const claimer: Claimer = createClaimer({
    store,
    owner: options.owner,
    limits,
    claimBatch: options.claimBatch ?? 200,
    clock,
    log,
    lanes,
    laneOf,
    room: () => (stopping ? 0 : runner.room()),
    deliver: (claimed) => {
      for (const delivery of claimed) runner.enqueue(delivery);
    },
  });

  const reclaimRetry = createStoreRetry(log, "reclaiming expired leases");
  async function reclaim(): Promise<void> {
    try {
      const count = await store.reclaimExpired(clock());
      reclaimRetry.ok();
      if (count > 0) {
        log.warn({ count }, "reclaimed deliveries whose lease expired");
        claimer.markDue();
      }
    } catch (error) {
      reclaimRetry.failed(error, () => void reclaim());
    }
  }

  return {
    async start() {
      started = true;
      await reclaim();
      reclaimTimer = setInterval(
        () => void reclaim(),
        Math.max(1000, Math.floor(limits.leaseMs / 4)),
      );
      reclaimTimer.unref();
      // Other nodes' commits (PostgreSQL): wake as this node's own ingest would. The wake-up
      // connection also calls after it reconnected: the store is back, so nothing waits out
      // its backoff.
      unsubscribe = store.onDeliveriesDue?.((endpointIds) => {
        claimer.markDue(endpointIds);
        claimer.retryNow();
        recorder.retryNow();
      });
      claimer.markDue();
      await dueTimer.refresh();
    },
    wake: (endpointIds) => claimer.markDue(endpointIds),
    resetEndpoint(endpointId) {
      const lane = lanes.get(endpointId);
      if (lane !== undefined) lane.circuit = CLOSED;
    },
    hasRoom(endpointId) {
      if (stopping || runner.room() <= 0) return false;
      if (options.listen?.isSession(endpointId)) return false;
      const lane = lanes.get(endpointId);
      return lane === undefined || runner.canTake(lane);
    },
    adopt(deliveries) {
      // Were we stopping meanwhile, these stay leased to us in the store: stop() releases them.
      if (stopping) return;
      for (const delivery of deliveries) runner.enqueue(delivery, true);
    },
    circuitOf(endpointId) {
      const lane = lanes.get(endpointId);
      if (lane === undefined) return undefined;
      const circuit = atTime(lane.circuit, clock());
      return circuit.state === CircuitState.closed ? undefined : circuit;
    },
    owner: options.owner,
    leaseMs: limits.leaseMs,
    running: () => started && !stopping,
    view() {
      const now = clock();
      const view: DispatcherView = {
        ...runner.counts(),
        ...claimer.state(),
        lanes: new Map(),
      };
      for (const [id, lane] of lanes) {
        view.lanes.set(id, {
          active: lane.active,
          queued: lane.queue.length,
          allowed: allowed(lane, now, limits),
          stalled: isStalled(lane, now, limits.stallMs),
          hungry: isHungry(lane, now, limits),
          mayHaveMore: lane.mayHaveMore,
          circuit: atTime(lane.circuit, now),
        });
      }
      return view;
    },
    async stop(graceMs) {
      stopping = true;
      claimer.stop();
      dueTimer.stop();
      reclaimRetry.cancel();
      if (reclaimTimer !== undefined) clearInterval(reclaimTimer);
      unsubscribe?.();
      await runner.stop(graceMs);
      await new Promise((resolve) => setImmediate(resolve));
      await recorder.flush();
      const released = await store.releaseLeases(options.owner, clock());
      if (released > 0) log.info({ count: released }, "gave unfinished deliveries back");
      await options.sender.close();
    },
  };
}
