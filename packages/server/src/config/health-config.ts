import { type BreakerPolicy, DEFAULT_BREAKER } from "../domain/circuit-breaker.ts";
import { DEFAULT_LADDER, type LadderPolicy } from "../domain/health-ladder.ts";
import { parseDuration } from "./duration.ts";

/** A setting that cannot be used; the message names the setting and the accepted form. */
export class HealthConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * The failure ladder's and the circuit breaker's thresholds, from `HOOKLINE_*` variables (the
 * defaults, and why, are beside `DEFAULT_LADDER` and `DEFAULT_BREAKER`).
 */
export function loadHealthConfig(env: NodeJS.ProcessEnv): {
  ladder: LadderPolicy;
  breaker: BreakerPolicy;
} {
  const count = (name: string, fallback: number) => {
    const text = env[name]?.trim();
    if (text === undefined || text === "") return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) {
      throw new HealthConfigError(
        `${name}: expected a whole number from 1, got ${JSON.stringify(text)}`,
      );
    }
    return Number(text);
  };
  const duration = (name: string, fallback: number) => {
    const text = env[name]?.trim();
    if (text === undefined || text === "") return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      throw new HealthConfigError(
        `${name}: expected a duration such as 30s, 5m, 3d (units ms, s, m, h, d), got ${JSON.stringify(text)}`,
      );
    }
    return ms;
  };
  const ladder: LadderPolicy = {
    failingAfter: count("HOOKLINE_FAILING_AFTER", DEFAULT_LADDER.failingAfter),
    disableAfterMs: duration("HOOKLINE_DISABLE_AFTER", DEFAULT_LADDER.disableAfterMs),
    warnBeforeMs: duration("HOOKLINE_DISABLE_WARNING", DEFAULT_LADDER.warnBeforeMs),
  };
  if (ladder.warnBeforeMs > ladder.disableAfterMs) {
    throw new HealthConfigError(
      "HOOKLINE_DISABLE_WARNING: expected a duration no longer than HOOKLINE_DISABLE_AFTER (the warning comes before the disabling)",
    );
  }
  const cooldownMs = duration("HOOKLINE_CIRCUIT_COOLDOWN", DEFAULT_BREAKER.cooldownMs);
  const breaker: BreakerPolicy = {
    ...DEFAULT_BREAKER,
    openAfter: count("HOOKLINE_CIRCUIT_OPEN_AFTER", DEFAULT_BREAKER.openAfter),
    minAttempts: count("HOOKLINE_CIRCUIT_MIN_ATTEMPTS", DEFAULT_BREAKER.minAttempts),
    cooldownMs,
    maxCooldownMs: Math.max(cooldownMs, DEFAULT_BREAKER.maxCooldownMs),
  };
  return { ladder, breaker };
}
