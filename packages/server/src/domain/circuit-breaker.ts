/**
 * The circuit breaker of one endpoint on one node. It tells a dead or overwhelmed endpoint from a
 * flaky one that answers, and only the first is held back:
 *
 * - **Outage**: attempts that got no answer (refused or reset connections, DNS failures,
 *   timeouts). Attempts that failed together while one outage lasted are one observation: a
 *   failure counts only if its attempt started after the last counted one ended. `openAfter`
 *   observations in a row, with no answer in between, open the circuit.
 * - **Error rate**: answers of 5xx or 429 (and outages) over a sliding window of `windowMs`. With
 *   at least `minAttempts` in the window and a failed share of `errorRate` or more, it opens.
 *   A prompt 5xx from a live server is otherwise just a failed attempt, retried on its schedule.
 *   A delivery that succeeds after failing takes its failures in the window back: they were
 *   transient, and the rate is of deliveries failing, not of the retries a few of them needed
 *   (20 events failing twice are 40 failures in 60 attempts, yet every one of them arrives).
 *
 * Open: nothing is sent until the cooldown ends. Half-open: up to `probes` real deliveries go;
 * the first that succeeds closes the circuit, a failed one opens it again for twice as long, up
 * to `maxCooldownMs`. Outcomes of attempts that started before the circuit opened (or before it
 * went half-open) teach nothing new and are ignored. Pure: time is an input.
 */
export const CircuitState = {
  closed: "closed",
  open: "open",
  halfOpen: "half_open",
} as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Why a circuit opened. */
export const OpenReason = { unreachable: "unreachable", errorRate: "error_rate" } as const;
export type OpenReason = (typeof OpenReason)[keyof typeof OpenReason];

/** How an attempt ended, as the breaker sees it. */
export const Observation = {
  /** An HTTP answer that says nothing about the endpoint's health (2xx, or a 4xx other than 429). */
  answered: "answered",
  /** A 5xx or a 429: the endpoint is alive but failing or overwhelmed. */
  errorAnswer: "error_answer",
  /** No answer: refused, reset, DNS failure, timeout. */
  unreachable: "unreachable",
  /** Not the endpoint's doing (a blocked address, our own failure): ignored. */
  neutral: "neutral",
} as const;
export type Observation = (typeof Observation)[keyof typeof Observation];

/** Attempts and failures of one slice of the sliding window. */
interface Slice {
  start: number;
  total: number;
  failed: number;
}

export interface Circuit {
  state: CircuitState;
  /** While open: when probes may go. */
  openUntil: number;
  /** When the circuit last opened or went half-open: older attempts' outcomes are ignored. */
  since: number;
  /** The last cooldown, doubled at each failed probe. */
  cooldownMs: number;
  reason: OpenReason | null;
  /** Outage observations in a row. */
  outages: number;
  /** When the last counted outage observation ended. */
  outageSeenAt: number;
  /** The error-rate window, oldest slice first. */
  slices: readonly Slice[];
}

export interface BreakerPolicy {
  openAfter: number;
  windowMs: number;
  minAttempts: number;
  errorRate: number;
  cooldownMs: number;
  maxCooldownMs: number;
  probes: number;
}

/**
 * - `openAfter` 3: three separate moments without an answer, none answered between them, is an
 *   endpoint that is down, not a blip (one refused connection pool, one slow GC). With the lane's
 *   slow start that takes 3 short rounds for a refusing endpoint and 3 timeouts for a hanging one.
 * - 50% of at least 50 attempts in 30 s: a receiver that fails most requests of a steady stream;
 *   a flaky one (20% 5xx) never opens, and a small burst that fails twice (20 events, 40 failed
 *   attempts of 60) keeps its retry schedule, however its attempts interleave: each success
 *   takes its delivery's two failures back. The 50 requests it costs a dead-but-answering
 *   receiver are cheap 5xx answers, not held sockets.
 * - 5 s first cooldown costs a recovering endpoint little; doubling to 5 min bounds what a dead
 *   one costs at a few requests per 5 min per node. 4 probes: half-open is the lane's slow-start
 *   window, so recovery needs no extra round trips.
 */
export const DEFAULT_BREAKER: BreakerPolicy = {
  openAfter: 3,
  windowMs: 30_000,
  minAttempts: 50,
  errorRate: 0.5,
  cooldownMs: 5_000,
  maxCooldownMs: 300_000,
  probes: 4,
};

/** The window is kept in this many slices: it slides by a tenth of its length. */
const SLICES = 10;

export const CLOSED: Circuit = {
  state: CircuitState.closed,
  openUntil: 0,
  since: 0,
  cooldownMs: 0,
  reason: null,
  outages: 0,
  outageSeenAt: 0,
  slices: [],
};

/** How many attempts may run at once to this endpoint now (0 while open, `probes` half-open). */
export function allowedInFlight(
  circuit: Circuit,
  now: number,
  max: number,
  policy: BreakerPolicy,
): number {
  if (circuit.state === CircuitState.closed) return max;
  if (circuit.state === CircuitState.open && now < circuit.openUntil) return 0;
  return Math.min(max, policy.probes);
}

/** One attempt's outcome, as `afterAttempt` takes it. */
export interface AttemptSeen {
  observation: Observation;
  startedAt: number;
  /** Earlier attempts of the same delivery (all failed, or it would not be tried again)... */
  earlierAttempts?: number;
  /** ...the last of them made then: within the window, a success takes their failures back. */
  lastAttemptAt?: number | null | undefined;
}

/** The circuit after an attempt that started at `startedAt` ended at `now`. */
export function afterAttempt(
  circuit: Circuit,
  attempt: AttemptSeen,
  now: number,
  policy: BreakerPolicy,
): Circuit {
  const { observation, startedAt } = attempt;
  if (observation === Observation.neutral) return circuit;
  const current = atTime(circuit, now);
  if (current.state !== CircuitState.closed) {
    // Attempts already running when the circuit opened (or went half-open) ended: stale news.
    if (startedAt < current.since) return current;
    if (current.state === CircuitState.open) return current;
    if (observation === Observation.answered) return CLOSED;
    return reopen(current, now, Math.min(current.cooldownMs * 2, policy.maxCooldownMs));
  }
  const failed = observation !== Observation.answered;
  let slices = slide(current.slices, now, policy.windowMs, failed);
  const earlier = attempt.earlierAttempts ?? 0;
  const last = attempt.lastAttemptAt;
  if (!failed && earlier > 0 && last != null && last > now - policy.windowMs) {
    slices = takeBack(slices, earlier);
  }
  let { outages, outageSeenAt } = current;
  if (observation === Observation.unreachable) {
    if (startedAt >= outageSeenAt) {
      outages++;
      outageSeenAt = now;
    }
  } else {
    outages = 0;
  }
  const next: Circuit = { ...current, slices, outages, outageSeenAt };
  if (outages >= policy.openAfter) {
    return open(next, now, policy.cooldownMs, OpenReason.unreachable);
  }
  // Judged on failures only: a success is never why a circuit opens (the answers that end a
  // bad spell would otherwise tip the window over its minimum while failures still dominate it).
  const { total, errors } = tally(slices);
  if (failed && total >= policy.minAttempts && errors >= policy.errorRate * total) {
    return open(next, now, policy.cooldownMs, OpenReason.errorRate);
  }
  return next;
}

/** The circuit as time passes: an open one whose cooldown ended lets probes through. */
export function atTime(circuit: Circuit, now: number): Circuit {
  return circuit.state === CircuitState.open && now >= circuit.openUntil
    ? { ...circuit, state: CircuitState.halfOpen, since: circuit.openUntil }
    : circuit;
}

function open(circuit: Circuit, now: number, cooldownMs: number, reason: OpenReason): Circuit {
  return {
    ...circuit,
    state: CircuitState.open,
    openUntil: now + cooldownMs,
    since: now,
    cooldownMs,
    reason,
    outages: 0,
    slices: [],
  };
}

function reopen(circuit: Circuit, now: number, cooldownMs: number): Circuit {
  return open(circuit, now, cooldownMs, circuit.reason ?? OpenReason.unreachable);
}

/** Adds one attempt to the window, dropping slices that slid out of it. */
function slide(slices: readonly Slice[], now: number, windowMs: number, failed: boolean): Slice[] {
  const width = windowMs / SLICES;
  const start = now - (now % width);
  const kept = slices.filter((s) => s.start > now - windowMs);
  const last = kept.at(-1);
  const add = failed ? 1 : 0;
  if (last !== undefined && last.start === start) {
    kept[kept.length - 1] = { start, total: last.total + 1, failed: last.failed + add };
  } else {
    kept.push({ start, total: 1, failed: add });
  }
  return kept;
}

/** Removes up to `count` failures from the window, newest first (a delivery's retries are recent). */
function takeBack(slices: Slice[], count: number): Slice[] {
  let left = count;
  for (let i = slices.length - 1; i >= 0 && left > 0; i--) {
    const slice = slices[i]!;
    const taken = Math.min(left, slice.failed);
    if (taken === 0) continue;
    slices[i] = { ...slice, failed: slice.failed - taken };
    left -= taken;
  }
  return slices;
}

function tally(slices: readonly Slice[]): { total: number; errors: number } {
  let total = 0;
  let errors = 0;
  for (const s of slices) {
    total += s.total;
    errors += s.failed;
  }
  return { total, errors };
}
