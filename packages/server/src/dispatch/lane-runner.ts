import { afterAttempt, CircuitState, Observation } from "../domain/circuit-breaker.ts";
import { decide } from "../domain/decide.ts";
import { DeliveryStatus } from "../domain/delivery-status.ts";
import type { ClaimedDelivery } from "../store/types.ts";
import { attemptRow } from "./attempt-row.ts";
import type { ListenRules } from "./dispatcher.ts";
import type { GiveBack } from "./give-back.ts";
import { adjustWindow, demand, type Lane, type LaneLimits, next, queueBound } from "./lane.ts";
import type { Logger } from "./logger.ts";
import type { DispatchObserver } from "./observer.ts";
import { breakerObservation, type SendOutcome, unsentFailure } from "./outcome.ts";
import type { Recorder } from "./recorder.ts";
import type { Sender } from "./send.ts";
import { sequenceHeader } from "./sequence-header.ts";

/**
 * How often deliveries waiting for a listener are looked at again. Connecting resumes them at
 * once (store.resumeEndpoint); this only bounds the wait when another node holds the stream.
 */
const LISTENER_RECHECK_MS = 10_000;

/**
 * The lanes at work: takes claimed deliveries into their endpoint's lane, starts what the lane
 * and the global cap allow, and turns each outcome into the lane's new state (circuit, slow
 * start) and a result for the recorder.
 *
 * INVARIANTS kept here: at most `maxInFlight` attempts count as active (stalled ones run on but
 * stop counting, and sockets stay bounded at 4× the cap); a lane runs at most what `allowed`
 * says; a delivery is in at most one place (a queue, running, or given back). Whenever a slot
 * frees or a lane's state changes, `onSlotFreed` tells the claimer, which keeps the rest of the
 * work-conservation invariant (claimer.ts).
 */
export interface LaneRunner {
  enqueue(delivery: ClaimedDelivery, adopted?: boolean): void;
  /** How many more deliveries this node may hold, running or queued. */
  room(): number;
  /** Whether the lane could take one more delivery now (claim at insert). */
  canTake(lane: Lane): boolean;
  counts(): { active: number; stalled: number; queued: number };
  /** Lets attempts in flight finish for up to `graceMs`; queued deliveries stay leased. */
  stop(graceMs: number): Promise<void>;
}

export interface LaneRunnerOptions {
  sender: Sender;
  lanes: ReadonlyMap<string, Lane>;
  /** The lane of an endpoint, made if this node has none. */
  laneOf(endpointId: string): Lane;
  limits: LaneLimits;
  maxInFlight: number;
  schedule: readonly number[];
  owner: string;
  clock: () => number;
  random: () => number;
  log: Logger;
  observe: DispatchObserver | undefined;
  listen: ListenRules | undefined;
  giveBack: GiveBack;
  recorder: Recorder;
  onSlotFreed(): void;
  onLaneIdle(endpointId: string, lane: Lane): void;
}

export function createLaneRunner(options: LaneRunnerOptions): LaneRunner {
  const { lanes, limits, clock, log, giveBack } = options;
  const maxInFlight = options.maxInFlight;
  /** Lanes with queued deliveries waiting for a global slot. */
  const blocked = new Set<string>();
  let active = 0;
  /** Attempts past `stallMs` without an answer: running, but not counted in `active`. */
  let stalled = 0;
  let queued = 0;
  let stopping = false;
  let idle: (() => void) | undefined;

  function enqueue(delivery: ClaimedDelivery, adopted = false): void {
    const lane = options.laneOf(delivery.endpointId);
    lane.rateLimit = delivery.rateLimit;
    lane.serial = options.listen?.isSession(delivery.endpointId, delivery.url) ?? false;
    if (lane.serial && !options.listen?.isConnected(delivery.url)) {
      giveBack.add(delivery.endpointId, [delivery.id], clock() + LISTENER_RECHECK_MS);
      return;
    }
    // Claim at insert checks each event alone, so one commit of many events can promise a lane
    // a little more than its queue holds: adopted deliveries may overflow it by as much again.
    const bound = queueBound(lane, limits) * (adopted && !lane.serial ? 2 : 1);
    if (lane.queue.length >= bound) {
      giveBack.add(delivery.endpointId, [delivery.id], clock(), lane.serial);
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
      if (active >= maxInFlight && lane.queue.length > 0) {
        blocked.add(endpointId);
        return;
      }
      const step = next(lane, clock(), limits);
      if (step.kind === "run") {
        queued--;
        run(step.delivery, lane);
      } else if (step.kind === "give_back") {
        queued -= step.deliveries.length;
        giveBack.add(
          endpointId,
          step.deliveries.map((d) => d.id),
          step.dueAt,
        );
        return;
      } else {
        if (step.kind === "wait" && lane.wake === undefined && !stopping) {
          lane.wake = setTimeout(() => {
            lane.wake = undefined;
            if (stopping) return;
            drain(endpointId, lane);
            options.onSlotFreed();
          }, step.waitMs);
          lane.wake.unref();
        }
        return;
      }
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
      options.onSlotFreed();
    }, limits.stallMs);
    stall.unref();
    options.observe?.attemptStarted(delivery);
    options.sender
      .send({
        url: delivery.url,
        body: delivery.payload,
        eventId: delivery.eventId,
        secrets: delivery.secrets,
        scheme: delivery.signatureSchemes,
        headers: sequenceHeader(delivery),
        endpointHeaders: delivery.headers,
        auth: delivery.auth,
        traceParent: delivery.traceParent,
        traceState: delivery.traceState,
        tlsClient: delivery.tlsClient,
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
        options.onLaneIdle(delivery.endpointId, lane);
        if (active + stalled === 0) idle?.();
        options.onSlotFreed();
      });
  }

  /** Lets lanes that waited for a global slot start, while slots last. */
  function releaseBlocked(): void {
    for (const id of blocked) {
      if (active >= maxInFlight || stopping) return;
      blocked.delete(id);
      const lane = lanes.get(id);
      if (lane !== undefined) drain(id, lane);
    }
  }

  /** Feeds an outcome to the lane's slow start and circuit; an opened circuit defers the rest. */
  function trip(delivery: ClaimedDelivery, outcome: SendOutcome, lane: Lane, startedAt: number) {
    const now = clock();
    const before = lane.circuit;
    const observation = breakerObservation(outcome);
    const overloaded = outcome.status === 429 || outcome.status === 503;
    if (observation !== Observation.neutral) {
      adjustWindow(
        lane,
        observation !== Observation.unreachable && !overloaded,
        limits.perEndpoint,
      );
    }
    const seen = {
      observation,
      startedAt,
      earlierAttempts: delivery.attemptCount,
      lastAttemptAt: delivery.lastAttemptAt,
    };
    lane.circuit = afterAttempt(before, seen, now, limits.breaker);
    const context = { endpoint_id: delivery.endpointId };
    if (lane.circuit.state === CircuitState.closed) {
      if (before.state !== CircuitState.closed)
        log.info(context, "circuit closed: a probe succeeded");
      return;
    }
    if (lane.circuit.state !== CircuitState.open || lane.circuit.since !== now) return;
    const until = lane.circuit.openUntil;
    options.observe?.circuitOpened?.(delivery.endpointId, lane.circuit.reason ?? "unreachable");
    log.warn(
      { ...context, reason: lane.circuit.reason, until: new Date(until) },
      "circuit open: the endpoint's deliveries wait for a probe",
    );
    queued -= lane.queue.length;
    giveBack.add(
      delivery.endpointId,
      lane.queue.splice(0).map((d) => d.id),
      until,
    );
    giveBack.defer(delivery.endpointId, until);
  }

  function complete(
    delivery: ClaimedDelivery,
    outcome: SendOutcome,
    startedAt: number,
    lane: Lane,
  ): void {
    trip(delivery, outcome, lane, startedAt);
    const now = clock();
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
    const ranOut =
      decision.status === DeliveryStatus.failed && !delivery.eventType.startsWith("hookline.")
        ? { tenantId: delivery.tenantId, deliveryId: delivery.id, eventType: delivery.eventType }
        : undefined;
    options.recorder.add(
      {
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        status: decision.status,
        attemptCount,
        nextAttemptAt: decision.nextAttemptAt,
        disableEndpoint: decision.disableEndpoint,
        ordered: delivery.orderingKey !== null,
        leaseOwner: options.owner,
        attempt: attemptRow(outcome, delivery.id, startedAt),
      },
      ranOut,
    );
  }

  return {
    enqueue,
    // Stalled attempts free their slot, but sockets stay bounded at 4× the cap.
    room: () =>
      Math.min(maxInFlight - active - queued, 4 * maxInFlight - active - stalled - queued),
    canTake: (lane) => demand(lane, clock(), limits) > 0,
    counts: () => ({ active, stalled, queued }),
    async stop(graceMs) {
      stopping = true;
      for (const lane of lanes.values()) if (lane.wake !== undefined) clearTimeout(lane.wake);
      if (active + stalled > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
    },
  };
}
