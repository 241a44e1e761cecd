/**
 * The circuit breaker of one endpoint on one node. Closed: attempts run freely. After
 * `openAfter` failed attempts in a row it opens: the endpoint's due deliveries wait instead of
 * each one timing out. When the cooldown ends it lets one probe through (half-open); a success
 * closes it, a failure opens it again for twice as long, up to `maxCooldownMs`. Pure.
 */
export const CircuitState = {
  closed: "closed",
  open: "open",
  halfOpen: "half_open",
} as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

export interface Circuit {
  state: CircuitState;
  failures: number;
  /** While open: when the probe may go. */
  openUntil: number;
  /** The last cooldown, doubled at each failed probe. */
  cooldownMs: number;
}

export interface BreakerPolicy {
  openAfter: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

/**
 * 5 failures in a row (timeouts, refused connections, 5xx) rarely come from a healthy server.
 * A 5 s first cooldown costs a recovering endpoint little; doubling to 5 min bounds what a dead
 * one costs at one request per 5 min per node.
 */
export const DEFAULT_BREAKER: BreakerPolicy = {
  openAfter: 5,
  cooldownMs: 5_000,
  maxCooldownMs: 300_000,
};

export const CLOSED: Circuit = {
  state: CircuitState.closed,
  failures: 0,
  openUntil: 0,
  cooldownMs: 0,
};

/** How many attempts may run at once to this endpoint now (0 while open, 1 to probe). */
export function allowedInFlight(circuit: Circuit, now: number, max: number): number {
  if (circuit.state === CircuitState.closed) return max;
  if (circuit.state === CircuitState.open && now < circuit.openUntil) return 0;
  return 1;
}

/** The circuit after an attempt that started under it ended. */
export function afterAttempt(
  circuit: Circuit,
  ok: boolean,
  now: number,
  policy: BreakerPolicy,
): Circuit {
  if (ok) return CLOSED;
  if (circuit.state === CircuitState.closed) {
    const failures = circuit.failures + 1;
    if (failures < policy.openAfter) return { ...circuit, failures };
    return {
      state: CircuitState.open,
      failures,
      openUntil: now + policy.cooldownMs,
      cooldownMs: policy.cooldownMs,
    };
  }
  if (circuit.state === CircuitState.open && now < circuit.openUntil) {
    // An attempt started before the circuit opened failed too: nothing new to learn.
    return { ...circuit, failures: circuit.failures + 1 };
  }
  const cooldownMs = Math.min(circuit.cooldownMs * 2, policy.maxCooldownMs);
  return {
    state: CircuitState.open,
    failures: circuit.failures + 1,
    openUntil: now + cooldownMs,
    cooldownMs,
  };
}

/** The circuit as time passes: an open one whose cooldown ended lets a probe through. */
export function atTime(circuit: Circuit, now: number): Circuit {
  return circuit.state === CircuitState.open && now >= circuit.openUntil
    ? { ...circuit, state: CircuitState.halfOpen }
    : circuit;
}
