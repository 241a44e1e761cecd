import {
  allowedInFlight,
  atTime,
  type BreakerPolicy,
  type Circuit,
  CircuitState,
  CLOSED,
} from "../domain/circuit-breaker.ts";
import { type Bucket, capacity, fullBucket, take } from "../domain/token-bucket.ts";
import type { ClaimedDelivery } from "../store/types.ts";

/**
 * One endpoint's lane on this node: the attempts running to it, the claimed deliveries waiting
 * for a slot (its prefetch), its circuit breaker, its rate limit, and what this node knows of
 * its due deliveries in the store. Pure bookkeeping; the dispatcher runs what `next` hands out
 * and the claimer asks `demand` how many more the lane could take.
 */
export interface Lane {
  active: number;
  queue: ClaimedDelivery[];
  circuit: Circuit;
  rateLimit: number | null;
  bucket: Bucket | undefined;
  /** Armed while the lane waits for a rate-limit token. */
  wake: NodeJS.Timeout | undefined;
  /** Start times of the attempts running, oldest first. */
  starts: number[];
  /** When an attempt to this endpoint last ended (answered, failed or timed out). */
  lastEnd: number;
  /**
   * One attempt at a time, oldest due first, nothing waiting in the queue behind it: a listen
   * session, whose listener forwards to one local app and whose user reads the deliveries in
   * order. Nothing queues because one attempt may wait for a debugger for up to an hour.
   */
  serial: boolean;
  /**
   * Slow start: how many attempts may run at once before the endpoint has shown it answers.
   * Doubles with each answer up to the cap and halves with each attempt that got no answer (or
   * an explicit 429/503), so a new or dead endpoint cannot take a burst of slots (its retries
   * coming due together would otherwise start 32 at once and, on a hanging endpoint, hold them
   * until the stall). A prompt 5xx is an answer: it does not slow the endpoint.
   */
  window: number;
  /**
   * The store may hold due deliveries of this endpoint that no claim took: set by a claim that
   * came back with the lane's full share, by ingest leaving a delivery pending, by a give-back;
   * cleared by a claim that saw all of the endpoint's due deliveries. Work conservation rests on
   * it (claimer.ts).
   */
  mayHaveMore: boolean;
}

/** The limits every lane of a dispatcher shares. */
export interface LaneLimits {
  /** Attempts in flight per endpoint at most. */
  perEndpoint: number;
  /** An attempt unanswered this long stalls its lane (see `isStalled`). */
  stallMs: number;
  leaseMs: number;
  breaker: BreakerPolicy;
}

/** Where slow start begins: a few round trips reach the cap of 32. */
export const INITIAL_WINDOW = 4;

/** The window after an attempt ends: an answer widens it, no answer narrows it. */
export function adjustWindow(lane: Lane, answered: boolean, perEndpoint: number): void {
  lane.window = answered
    ? Math.min(perEndpoint, lane.window * 2)
    : Math.max(1, Math.floor(lane.window / 2));
}

export function newLane(): Lane {
  return {
    active: 0,
    queue: [],
    circuit: CLOSED,
    rateLimit: null,
    bucket: undefined,
    wake: undefined,
    starts: [],
    lastEnd: 0,
    serial: false,
    window: INITIAL_WINDOW,
    mayHaveMore: false,
  };
}

/** How many attempts the lane may run at once now: its window, its circuit, its serial rule. */
export function allowed(lane: Lane, now: number, limits: LaneLimits): number {
  const cap = lane.serial ? 1 : Math.min(limits.perEndpoint, lane.window);
  return allowedInFlight(atTime(lane.circuit, now), now, cap, limits.breaker);
}

/**
 * A lane is stalled when its oldest running attempt has had no answer for `stallMs` and no
 * attempt has ended since it started: the endpoint is hanging, and sending it more would only
 * tie up more sockets until the timeout tells the circuit breaker. It starts nothing new until
 * something ends.
 */
export function isStalled(lane: Lane, now: number, stallMs: number): boolean {
  const oldest = lane.starts[0];
  return oldest !== undefined && now - oldest >= stallMs && lane.lastEnd < oldest;
}

export type LaneStep =
  | { kind: "run"; delivery: ClaimedDelivery }
  /** The circuit is open, or the endpoint hangs: give these back, due at `dueAt`. */
  | { kind: "give_back"; deliveries: ClaimedDelivery[]; dueAt: number }
  /** Rate-limited: look again in `waitMs`. */
  | { kind: "wait"; waitMs: number }
  | { kind: "idle" };

/** What the lane can do now: start one delivery, give its queue back, wait, or nothing. */
export function next(lane: Lane, now: number, limits: LaneLimits): LaneStep {
  if (lane.queue.length === 0) return { kind: "idle" };
  lane.circuit = atTime(lane.circuit, now);
  const room = allowed(lane, now, limits);
  if (room === 0) {
    return { kind: "give_back", deliveries: lane.queue.splice(0), dueAt: lane.circuit.openUntil };
  }
  // A hanging endpoint's queue goes back to the store: waiting here it would hold claims (and
  // the global count of queued deliveries) that healthy endpoints need. Due again once the
  // stall may have ended; the claim skips the lane while it lasts.
  if (isStalled(lane, now, limits.stallMs)) {
    return { kind: "give_back", deliveries: lane.queue.splice(0), dueAt: now + limits.stallMs };
  }
  if (lane.active >= room) return { kind: "idle" };
  if (lane.rateLimit !== null) {
    const taken = take(lane.bucket ?? fullBucket(lane.rateLimit, now), lane.rateLimit, now);
    lane.bucket = taken.bucket;
    if (!taken.ok) return { kind: "wait", waitMs: taken.waitMs };
  }
  return { kind: "run", delivery: lane.queue.shift() as ClaimedDelivery };
}

/**
 * How many claimed deliveries may wait in the lane: one round of its slots, fewer when a rate
 * limit means the last of them would start after half a lease (a lease that expires while a delivery
 * still waits here would let another claim send it twice).
 */
export function queueBound(lane: Lane, limits: LaneLimits): number {
  if (lane.serial) return lane.active === 0 ? 1 : 0;
  const byRate =
    lane.rateLimit === null
      ? limits.perEndpoint
      : Math.floor((lane.rateLimit * limits.leaseMs) / 2000);
  // No more than the lane may run at once: an endpoint that has not shown it answers (a new
  // one, or one that hangs) holds few claims. Queued deliveries count against the node's cap,
  // and 10 hanging endpoints prefetching 32 each took every slot from 90 healthy ones (the
  // isolation benchmark: their p99 went from 39 ms to 9 s).
  return Math.max(1, Math.min(limits.perEndpoint, byRate, lane.window));
}

/**
 * How many more deliveries the lane could take from a claim now: its free slots plus room in
 * its queue (the prefetch that keeps slots busy while the next claim runs). Zero while the
 * circuit is open, the endpoint hangs, or a rate limit already has a queue to work through.
 */
export function demand(lane: Lane, now: number, limits: LaneLimits): number {
  if (lane.serial) return lane.active === 0 && lane.queue.length === 0 ? 1 : 0;
  const room = allowed(lane, now, limits);
  if (room === 0 || isStalled(lane, now, limits.stallMs)) return 0;
  if (lane.rateLimit !== null && lane.queue.length > 0) return 0;
  return Math.max(0, room + queueBound(lane, limits) - lane.active - lane.queue.length);
}

/**
 * Whether a claim for this lane is worth a transaction now: its queue is at most half full. A
 * lane with a free slot and an empty queue is always hungry (demand > queueBound ≥ the mark),
 * which is what keeps a free slot from waiting for the poll; a lane that is merely one short
 * waits until it can take a batch, so a busy endpoint costs one claim per half a round, not one
 * per attempt.
 */
export function isHungry(lane: Lane, now: number, limits: LaneLimits): boolean {
  const want = demand(lane, now, limits);
  return want > 0 && want >= Math.ceil(queueBound(lane, limits) / 2);
}

/** A lane with nothing running, queued, owed or remembered can be dropped. */
export function isForgettable(lane: Lane, now: number, limits: LaneLimits): boolean {
  if (lane.active > 0 || lane.queue.length > 0 || lane.wake !== undefined) return false;
  if (lane.mayHaveMore) return false;
  const circuit = lane.circuit;
  if (circuit.state !== CircuitState.closed || circuit.outages > 0) return false;
  const newest = circuit.slices.at(-1);
  if (newest !== undefined && newest.start > now - limits.breaker.windowMs) return false;
  if (lane.rateLimit === null || lane.bucket === undefined) return true;
  const tokens = lane.bucket.tokens + ((now - lane.bucket.at) * lane.rateLimit) / 1000;
  return tokens >= capacity(lane.rateLimit);
}
