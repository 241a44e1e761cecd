import type { Circuit } from "../domain/circuit-breaker.ts";
import type { EndpointActivity, EndpointRow } from "../store/types.ts";

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

/** The window the health report looks back over, and the most attempts it reads from it. */
export const HEALTH_WINDOW_MS = 86_400_000;
export const HEALTH_WINDOW_ATTEMPTS = 1000;

/** The `health` summary every endpoint object carries: the ladder's state, no queries. */
export function healthSummary(e: EndpointRow) {
  return {
    state: e.health.health,
    consecutive_failures: e.health.consecutiveFailures,
    failing_since: seconds(e.health.failingSince),
    disable_at: seconds(e.health.disableAt),
    last_success_at: seconds(e.health.lastSuccessAt),
    last_failure_at: seconds(e.health.lastFailureAt),
  };
}

/**
 * `GET /v1/webhook_endpoints/{id}/health`: the summary plus recent attempts and open work, and
 * this node's circuit for the endpoint (`undefined`: closed, or no dispatcher here).
 */
export function healthReport(
  e: EndpointRow,
  activity: EndpointActivity,
  since: number,
  circuit?: Circuit,
) {
  const { attempts } = activity;
  const ok = attempts.filter((a) => a.ok).length;
  const durations = attempts.map((a) => a.durationMs).sort((a, b) => a - b);
  return {
    object: "webhook_endpoint_health" as const,
    endpoint: e.id,
    status: e.status,
    ...healthSummary(e),
    window: {
      since: Math.floor(since / 1000),
      attempts: attempts.length,
      success_rate: attempts.length === 0 ? null : round(ok / attempts.length, 4),
      latency_ms: { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) },
    },
    deliveries: {
      pending: activity.deliveries.pending,
      in_flight: activity.deliveries.inFlight,
      failed: activity.deliveries.failed,
      skipped: activity.deliveries.skipped,
    },
    circuit: {
      state: circuit?.state ?? "closed",
      reason: circuit?.reason ?? null,
      open_until: circuit?.state === "open" ? seconds(circuit.openUntil) : null,
    },
  };
}

/** Nearest-rank percentile of sorted values; `null` when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
