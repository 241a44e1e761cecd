import {
  allowedInFlight,
  atTime,
  type Circuit,
  CircuitState,
  CLOSED,
} from "../domain/circuit-breaker.ts";
import { type Bucket, capacity, fullBucket, take } from "../domain/token-bucket.ts";
import type { ClaimedDelivery } from "../store/types.ts";

/**
 * One endpoint's lane on this node: the attempts running to it, the claimed deliveries waiting
 * for a slot, its circuit breaker and its rate limit. Pure bookkeeping; the dispatcher runs
 * what `next` hands out.
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
   * Doubles with each answer up to the cap and halves with each failure of the endpoint, so a
   * new or failing endpoint cannot take a burst of slots (its retries coming due together
   * would otherwise start 32 at once and, on a hanging endpoint, hold them until the stall).
   */
  window: number;
}

/** Where slow start begins: a few round trips reach the cap of 32. */
export const INITIAL_WINDOW = 4;

/** The window after an attempt ends: an answer widens it, a failure of the endpoint narrows it. */
export function adjustWindow(lane: Lane, answered: boolean, maxInFlight: number): void {
  lane.window = answered
    ? Math.min(maxInFlight, lane.window * 2)
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
  };
}

/** The lane's own cap on attempts in flight. */
const capOf = (lane: Lane, maxInFlight: number) =>
  lane.serial ? 1 : Math.min(maxInFlight, lane.window);

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
export function next(lane: Lane, now: number, maxInFlight: number, stallMs: number): LaneStep {
  if (lane.queue.length === 0) return { kind: "idle" };
  lane.circuit = atTime(lane.circuit, now);
  const allowed = allowedInFlight(lane.circuit, now, capOf(lane, maxInFlight));
  if (allowed === 0) {
    return { kind: "give_back", deliveries: lane.queue.splice(0), dueAt: lane.circuit.openUntil };
  }
  // A hanging endpoint's queue goes back to the store: waiting here it would hold claims (and
  // the global count of queued deliveries) that healthy endpoints need. Due again once the
  // stall may have ended; the claim skips the lane while it lasts.
  if (isStalled(lane, now, stallMs)) {
    return { kind: "give_back", deliveries: lane.queue.splice(0), dueAt: now + stallMs };
  }
  if (lane.active >= allowed) return { kind: "idle" };
  if (lane.rateLimit !== null) {
    const taken = take(lane.bucket ?? fullBucket(lane.rateLimit, now), lane.rateLimit, now);
    lane.bucket = taken.bucket;
    if (!taken.ok) return { kind: "wait", waitMs: taken.waitMs };
  }
  return { kind: "run", delivery: lane.queue.shift() as ClaimedDelivery };
}

/** True when this lane should not be handed more deliveries right now. */
export function isFull(lane: Lane, now: number, maxInFlight: number, stallMs: number): boolean {
  const allowed = allowedInFlight(atTime(lane.circuit, now), now, capOf(lane, maxInFlight));
  if (lane.active + lane.queue.length >= allowed) return true;
  if (isStalled(lane, now, stallMs)) return true;
  return lane.rateLimit !== null && lane.queue.length > 0;
}

/**
 * How many claimed deliveries may wait in the lane: about one round of slots, fewer when a rate
 * limit means the last of them would start after half a lease (a lease that expires while a
 * delivery still waits here would let another claim send it twice).
 */
export function queueBound(lane: Lane, maxInFlight: number, leaseMs: number): number {
  if (lane.serial) return lane.active === 0 ? 1 : 0;
  const byRate =
    lane.rateLimit === null ? maxInFlight : Math.floor((lane.rateLimit * leaseMs) / 2000);
  return Math.max(1, Math.min(maxInFlight, byRate));
}

/** A lane with nothing running, nothing queued and nothing to remember can be dropped. */
export function isForgettable(lane: Lane, now: number): boolean {
  if (lane.active > 0 || lane.queue.length > 0 || lane.wake !== undefined) return false;
  if (lane.circuit.state !== CircuitState.closed || lane.circuit.failures > 0) return false;
  if (lane.rateLimit === null || lane.bucket === undefined) return true;
  const tokens = lane.bucket.tokens + ((now - lane.bucket.at) * lane.rateLimit) / 1000;
  return tokens >= capacity(lane.rateLimit);
}
