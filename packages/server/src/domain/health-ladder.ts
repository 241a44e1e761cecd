/**
 * The failure ladder of an endpoint: healthy → failing → disabling_soon → disabled, one step at
 * a time, each step an operational event, a success at any point back to healthy. Pure: the
 * store applies it inside the transaction that records attempts, so every node agrees.
 */
export const EndpointHealth = {
  healthy: "healthy",
  failing: "failing",
  disablingSoon: "disabling_soon",
} as const;
export type EndpointHealth = (typeof EndpointHealth)[keyof typeof EndpointHealth];

/** What the ladder remembers of an endpoint. Times are unix ms. */
export interface HealthState {
  health: EndpointHealth;
  consecutiveFailures: number;
  /** The first failure of the current streak. */
  failingSince: number | null;
  /** When the endpoint will be disabled if it keeps failing; set with the warning. */
  disableAt: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

export interface LadderPolicy {
  /** Consecutive failed attempts that mark an endpoint `failing`. */
  failingAfter: number;
  /** How long a streak of failures lasts before the endpoint is disabled. */
  disableAfterMs: number;
  /** How long before disabling the warning is given. */
  warnBeforeMs: number;
}

/**
 * Defaults. 5 failures in a row is past what a deploy or a blip causes (the retry schedule's
 * first steps are 5 s and 5 min apart), and 3 days of failing is Stripe's rule and outlasts the
 * default retry schedule (about 2 days): an endpoint is disabled only after failing for longer
 * than any one delivery is retried, and the warning comes a day before so someone can act.
 */
export const DEFAULT_LADDER: LadderPolicy = {
  failingAfter: 5,
  disableAfterMs: 3 * 86_400_000,
  warnBeforeMs: 86_400_000,
};

export const HealthTransition = {
  failing: "failing",
  disablingSoon: "disabling_soon",
  disabled: "disabled",
  recovered: "recovered",
} as const;
export type HealthTransition = (typeof HealthTransition)[keyof typeof HealthTransition];

export const HEALTHY: HealthState = {
  health: EndpointHealth.healthy,
  consecutiveFailures: 0,
  failingSince: null,
  disableAt: null,
  lastSuccessAt: null,
  lastFailureAt: null,
};

/**
 * One attempt's effect on the ladder: the new state and the step taken, if any. After
 * `disabled` the caller stops stepping (a disabled endpoint gets no attempts) until the
 * endpoint is re-enabled, which starts over from `HEALTHY`.
 */
export function stepHealth(
  state: HealthState,
  attempt: { ok: boolean; at: number },
  policy: LadderPolicy,
): { state: HealthState; transition: HealthTransition | undefined } {
  const { at } = attempt;
  if (attempt.ok) {
    return {
      state: { ...HEALTHY, lastSuccessAt: at, lastFailureAt: state.lastFailureAt },
      transition: state.health === EndpointHealth.healthy ? undefined : HealthTransition.recovered,
    };
  }
  const next: HealthState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    failingSince: state.failingSince ?? at,
    lastFailureAt: at,
  };
  const streakMs = at - (next.failingSince as number);
  switch (state.health) {
    case EndpointHealth.healthy:
      if (next.consecutiveFailures < policy.failingAfter)
        return { state: next, transition: undefined };
      return {
        state: { ...next, health: EndpointHealth.failing },
        transition: HealthTransition.failing,
      };
    case EndpointHealth.failing: {
      if (streakMs < policy.disableAfterMs - policy.warnBeforeMs) {
        return { state: next, transition: undefined };
      }
      // Failures can be sparse (a retry every few hours): the warning always comes at least
      // `warnBeforeMs` ahead, even when the streak is already older than the limit.
      const disableAt = Math.max(
        (next.failingSince as number) + policy.disableAfterMs,
        at + policy.warnBeforeMs,
      );
      return {
        state: { ...next, health: EndpointHealth.disablingSoon, disableAt },
        transition: HealthTransition.disablingSoon,
      };
    }
    case EndpointHealth.disablingSoon:
      if (at < (state.disableAt ?? Number.POSITIVE_INFINITY)) {
        return { state: next, transition: undefined };
      }
      // The state stays as it is, for the record; re-enabling starts the ladder over.
      return { state: next, transition: HealthTransition.disabled };
  }
}
