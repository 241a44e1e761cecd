import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterAttempt,
  allowedInFlight,
  atTime,
  CircuitState,
  CLOSED,
  DEFAULT_BREAKER,
  Observation,
} from "../src/domain/circuit-breaker.ts";
import {
  DEFAULT_LADDER,
  EndpointHealth,
  HEALTHY,
  type HealthState,
  type HealthTransition,
  stepHealth,
} from "../src/domain/health-ladder.ts";
import { capacity, fullBucket, take } from "../src/domain/token-bucket.ts";
import { percentile } from "../src/health/report.ts";

// The pure parts of endpoint health: the ladder, the circuit breaker, the rate limit. Time is
// an argument, so days pass in microseconds.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Fails attempts every `everyMs` from `start` and collects the ladder's steps with their time. */
function failFor(
  durationMs: number,
  everyMs: number,
  from: HealthState = HEALTHY,
  start = 0,
): { state: HealthState; steps: { transition: HealthTransition; at: number }[] } {
  let state = from;
  const steps: { transition: HealthTransition; at: number }[] = [];
  for (let at = start; at <= start + durationMs; at += everyMs) {
    const step = stepHealth(state, { ok: false, at }, DEFAULT_LADDER);
    state = step.state;
    if (step.transition !== undefined) steps.push({ transition: step.transition, at });
    // A disabled endpoint gets no attempts: the store stops stepping it.
    if (step.transition === "disabled") break;
  }
  return { state, steps };
}

describe("the failure ladder", () => {
  it("climbs failing → disabling_soon → disabled over three days of hourly failures", () => {
    const { steps } = failFor(4 * DAY, HOUR);
    expect(steps).toEqual([
      { transition: "failing", at: 4 * HOUR },
      { transition: "disabling_soon", at: 2 * DAY },
      { transition: "disabled", at: 3 * DAY },
    ]);
  });

  it("announces the disabling time in the warning, a day ahead", () => {
    let state = failFor(2 * DAY - HOUR, HOUR).state;
    const step = stepHealth(state, { ok: false, at: 2 * DAY }, DEFAULT_LADDER);
    state = step.state;
    expect(step.transition).toBe("disabling_soon");
    expect(state.health).toBe(EndpointHealth.disablingSoon);
    expect(state.disableAt).toBe(3 * DAY);
  });

  it("warns at least a day ahead even when failures are sparse", () => {
    // Five failures, then silence for four days, then one more: warned, not disabled at once.
    const early = failFor(4 * HOUR, HOUR).state;
    const late = stepHealth(early, { ok: false, at: 4 * DAY }, DEFAULT_LADDER);
    expect(late.transition).toBe("disabling_soon");
    expect(late.state.disableAt).toBe(5 * DAY);
    const before = stepHealth(late.state, { ok: false, at: 5 * DAY - 1 }, DEFAULT_LADDER);
    expect(before.transition).toBeUndefined();
    const after = stepHealth(before.state, { ok: false, at: 5 * DAY }, DEFAULT_LADDER);
    expect(after.transition).toBe("disabled");
  });

  it("goes back to healthy on any success, and says it recovered only if it was not healthy", () => {
    const failing = failFor(10 * HOUR, HOUR).state;
    const back = stepHealth(failing, { ok: true, at: 11 * HOUR }, DEFAULT_LADDER);
    expect(back.transition).toBe("recovered");
    expect(back.state).toMatchObject({
      health: "healthy",
      consecutiveFailures: 0,
      failingSince: null,
      lastSuccessAt: 11 * HOUR,
      lastFailureAt: 10 * HOUR,
    });
    const fine = stepHealth(back.state, { ok: true, at: 12 * HOUR }, DEFAULT_LADDER);
    expect(fine.transition).toBeUndefined();
    // A streak after a success starts from zero: four failures are not yet "failing".
    const again = failFor(3 * HOUR, HOUR, back.state, 13 * HOUR);
    expect(again.steps).toEqual([]);
    expect(again.state.failingSince).toBe(13 * HOUR);
  });

  it("never disables an endpoint that fails less than five times in a row", () => {
    let state = HEALTHY;
    for (let at = 0; at < 10 * DAY; at += HOUR) {
      const ok = (at / HOUR) % 4 === 3;
      const step = stepHealth(state, { ok, at }, DEFAULT_LADDER);
      expect(step.transition).toBeUndefined();
      state = step.state;
    }
  });
});

describe("the circuit breaker", () => {
  const policy = DEFAULT_BREAKER;
  const down = (startedAt: number) => ({ observation: Observation.unreachable, startedAt });
  const error = (startedAt: number) => ({ observation: Observation.errorAnswer, startedAt });
  const ok = (startedAt: number) => ({ observation: Observation.answered, startedAt });
  /** Three separate moments without an answer: each round starts after the last one ended. */
  const outage = (from = CLOSED, at = 0) => {
    let circuit = from;
    for (let i = 0; i < 3; i++)
      circuit = afterAttempt(circuit, down(at + i * 10), at + i * 10 + 5, policy);
    return circuit;
  };

  it("opens after three outage observations in a row and lets nothing through until the cooldown ends", () => {
    let circuit = CLOSED;
    circuit = afterAttempt(circuit, down(0), 5, policy);
    circuit = afterAttempt(circuit, down(10), 15, policy);
    expect(circuit.state).toBe(CircuitState.closed);
    circuit = afterAttempt(circuit, down(20), 1000, policy);
    expect(circuit).toMatchObject({ state: "open", openUntil: 6000, reason: "unreachable" });
    expect(allowedInFlight(circuit, 5999, 32, policy)).toBe(0);
    expect(allowedInFlight(circuit, 6000, 32, policy)).toBe(policy.probes);
    expect(atTime(circuit, 6000).state).toBe(CircuitState.halfOpen);
  });

  it("counts attempts that failed together in one outage as one observation", () => {
    let circuit = CLOSED;
    // 32 attempts started at once against a dead endpoint, all refused within a few ms.
    for (let i = 0; i < 32; i++) circuit = afterAttempt(circuit, down(0), 3 + i, policy);
    expect(circuit).toMatchObject({ state: "closed", outages: 1 });
  });

  it("starts counting outages over once the endpoint answers, even with a 5xx", () => {
    let circuit = CLOSED;
    circuit = afterAttempt(circuit, down(0), 5, policy);
    circuit = afterAttempt(circuit, down(10), 15, policy);
    circuit = afterAttempt(circuit, error(20), 25, policy);
    circuit = afterAttempt(circuit, down(30), 35, policy);
    expect(circuit).toMatchObject({ state: "closed", outages: 1 });
  });

  it("never opens on a flaky endpoint that answers 5xx to a fifth of its requests", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 2000 }),
        (rolls) => {
          let circuit = CLOSED;
          rolls.forEach((roll, i) => {
            const at = i * 2;
            circuit = afterAttempt(circuit, roll < 20 ? error(at) : ok(at), at + 1, policy);
          });
          // Any run of draws could reach 50% by chance in a small window; 20% flakiness in a steady
          // stream must not, which is what the default threshold is for.
          const failed = rolls.filter((r) => r < 20).length;
          return failed / rolls.length >= 0.35 || circuit.state === CircuitState.closed;
        },
      ),
    );
  });

  it("keeps a small burst that fails twice on its retry schedule: 40 prompt 5xx stay below the minimum, and the successes that follow never open it", () => {
    let circuit = CLOSED;
    for (let i = 0; i < 40; i++) circuit = afterAttempt(circuit, error(i), i + 1, policy);
    expect(circuit.state).toBe(CircuitState.closed);
    for (let i = 0; i < 20; i++) circuit = afterAttempt(circuit, ok(50 + i), 51 + i, policy);
    expect(circuit.state).toBe(CircuitState.closed);
  });

  it("keeps a burst that fails twice closed however its attempts interleave: a success takes its delivery's failures back", () => {
    // As a loaded machine ran it: 10 events' third attempts succeed before the other 10's
    // second attempts fail, so failures arrive past the window's minimum of 50 attempts.
    const retry = (n: number, at: number, last: number) => ({
      observation: n === 3 ? Observation.answered : Observation.errorAnswer,
      startedAt: at,
      earlierAttempts: n - 1,
      lastAttemptAt: last,
    });
    const run = (takeBack: boolean) => {
      let circuit = CLOSED;
      const step = (seen: Parameters<typeof afterAttempt>[1], at: number) => {
        const plain = takeBack ? seen : { observation: seen.observation, startedAt: at };
        circuit = afterAttempt(circuit, plain, at + 1, policy);
      };
      for (let i = 0; i < 20; i++) step(error(i), i);
      for (let i = 0; i < 10; i++) step(retry(2, 1000 + i, i), 1000 + i);
      for (let i = 0; i < 10; i++) step(retry(3, 2000 + i, 1000 + i), 2000 + i);
      for (let i = 10; i < 20; i++) step(retry(2, 2500 + i, i), 2500 + i);
      for (let i = 10; i < 20; i++) step(retry(3, 3500 + i, 2500 + i), 3500 + i);
      return circuit;
    };
    expect(run(true).state).toBe(CircuitState.closed);
    // Counted per attempt, the same run crosses 50% past the minimum and opens.
    expect(run(false)).toMatchObject({ state: "open", reason: "error_rate" });
  });

  it("takes back no failures for a success whose earlier attempts were before the window", () => {
    let circuit = CLOSED;
    // 24 failures and 24 successes; the late success and one more failure make 25 of 50.
    for (let i = 0; i < 48; i++) {
      circuit = afterAttempt(circuit, i % 2 === 0 ? error(i) : ok(i), i + 1, policy);
    }
    const late = { ...ok(100), earlierAttempts: 5, lastAttemptAt: 100 - policy.windowMs - 1 };
    circuit = afterAttempt(circuit, late, 101, policy);
    circuit = afterAttempt(circuit, error(102), 103, policy);
    expect(circuit).toMatchObject({ state: "open", reason: "error_rate" });
  });

  it("opens on a high rate of 5xx over the window, and forgets answers older than the window", () => {
    let circuit = CLOSED;
    for (let i = 0; i < policy.minAttempts - 1; i++) {
      circuit = afterAttempt(circuit, error(i), i + 1, policy);
    }
    expect(circuit.state).toBe(CircuitState.closed);
    const later = afterAttempt(circuit, error(0), policy.windowMs * 2, policy);
    expect(later.state).toBe(CircuitState.closed);
    circuit = afterAttempt(circuit, error(60), 61, policy);
    expect(circuit).toMatchObject({ state: "open", reason: "error_rate" });
  });

  it("closes on the first successful probe and doubles the cooldown after a failed one, up to 5 min", () => {
    let circuit = outage();
    const cooldowns: number[] = [];
    let now = 0;
    for (let i = 0; i < 10; i++) {
      now = circuit.openUntil;
      circuit = afterAttempt(circuit, down(now), now + 1, policy);
      cooldowns.push(circuit.openUntil - (now + 1));
    }
    expect(cooldowns).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000, 300_000,
    ]);
    const closed = afterAttempt(circuit, ok(circuit.openUntil), circuit.openUntil + 1, policy);
    expect(closed).toEqual(CLOSED);
  });

  it("ignores outcomes of attempts that started before it opened or before its probes", () => {
    const circuit = outage();
    const late = afterAttempt(circuit, down(0), 100, policy);
    expect(late).toEqual(circuit);
    const halfOpen = atTime(circuit, circuit.openUntil);
    const stale = afterAttempt(halfOpen, ok(0), circuit.openUntil + 5, policy);
    expect(stale.state).toBe(CircuitState.halfOpen);
  });
});

describe("the rate limit", () => {
  it("lets at most the rate through in any second, evenly", () => {
    const rate = 10;
    let bucket = fullBucket(rate, 0);
    const starts: number[] = [];
    for (let now = 0; now < 5000; now++) {
      const taken = take(bucket, rate, now);
      bucket = taken.bucket;
      if (taken.ok) starts.push(now);
    }
    for (const start of starts) {
      const inWindow = starts.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(rate);
    }
    expect(starts.length).toBeGreaterThanOrEqual(49);
  });

  it("says how long to wait for the next token", () => {
    const first = take(fullBucket(4, 0), 4, 0);
    expect(first.ok).toBe(true);
    const second = take(first.bucket, 4, 0);
    expect(second).toMatchObject({ ok: false, waitMs: 250 });
  });

  it("allows a burst of a tenth of a second's worth at high rates", () => {
    expect(capacity(5)).toBe(1);
    expect(capacity(1000)).toBe(100);
  });
});

describe("the health report", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.95)).toBe(7);
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
  });
});
