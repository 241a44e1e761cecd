import type { WebhookEndpoint } from "../api/types.ts";

/** A delivery's status, coloured by outcome; the text says it too (colour is not enough). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {status.replace("_", " ")}
    </span>
  );
}

export type EndpointCondition = "healthy" | "failing" | "disabled";

/**
 * How an endpoint is doing now: disabled, failing (its last attempt failed, or the ladder
 * says so), or healthy.
 */
export function endpointCondition(e: WebhookEndpoint): EndpointCondition {
  if (e.status === "disabled") return "disabled";
  if (e.health.state !== "healthy" || e.health.consecutive_failures > 0) return "failing";
  return "healthy";
}

const WORDS = { healthy: "Healthy", failing: "Failing", disabled: "Disabled" } as const;

export function HealthBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  const condition = endpointCondition(endpoint);
  const failures = endpoint.health.consecutive_failures;
  return (
    <span className={`badge health-${condition}`} data-health={condition}>
      {WORDS[condition]}
      {condition === "failing" && failures > 0 ? ` (${failures} in a row)` : ""}
    </span>
  );
}
