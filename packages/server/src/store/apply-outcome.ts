import { DeliveryStatus } from "../domain/delivery-status.ts";
import {
  type HealthState,
  HealthTransition,
  type LadderPolicy,
  stepHealth,
} from "../domain/health-ladder.ts";
import type { AttemptResult, HealthChange } from "./types.ts";

/** An endpoint as recording outcomes sees it, read once per batch inside its transaction. */
export interface LadderEndpoint {
  tenantId: string;
  status: string;
  health: HealthState;
  /** The health changed: write it back at the end of the batch. */
  changed: boolean;
}

const GONE = "the endpoint answered 410 Gone";

/**
 * One attempt's outcome applied to its endpoint, the same on every store: steps an enabled
 * endpoint's failure ladder, reports the steps taken in `changes`, and says whether the
 * delivery's retry is skipped (its endpoint was disabled while the attempt was in flight) and
 * whether the endpoint is now disabled (410 Gone, or the ladder's end). The store does the I/O.
 */
export function applyOutcome(
  endpoint: LadderEndpoint | undefined,
  result: AttemptResult,
  ladder: LadderPolicy,
  changes: HealthChange[],
): { skip: boolean; disableReason: string | null } {
  const skip = endpoint?.status === "disabled" && result.status === DeliveryStatus.pending;
  if (endpoint === undefined || endpoint.status !== "enabled") return { skip, disableReason: null };
  const a = result.attempt;
  const at = a.createdAt + a.durationMs;
  const step = stepHealth(endpoint.health, { ok: a.errorKind === null, at }, ladder);
  endpoint.health = step.state;
  endpoint.changed = true;
  const disableReason = result.disableEndpoint
    ? GONE
    : step.transition === HealthTransition.disabled
      ? `every attempt failed since ${new Date(step.state.failingSince ?? at).toISOString()} (${step.state.consecutiveFailures} in a row)`
      : null;
  const change = (transition: HealthChange["transition"], reason: string | null) =>
    changes.push({
      tenantId: endpoint.tenantId,
      endpointId: result.endpointId,
      transition,
      reason,
      at,
    });
  if (step.transition !== undefined && step.transition !== HealthTransition.disabled) {
    change(step.transition, null);
  }
  if (disableReason !== null) {
    endpoint.status = "disabled";
    change(HealthTransition.disabled, disableReason);
  }
  return { skip, disableReason };
}
