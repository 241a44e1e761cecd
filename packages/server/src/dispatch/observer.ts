import type { OpenReason } from "../domain/circuit-breaker.ts";
import type { DeliveryStatus } from "../domain/delivery-status.ts";
import type { ClaimedDelivery } from "../store/types.ts";
import type { SendOutcome } from "./outcome.ts";

/**
 * What the dispatcher reports as attempts start and end, for metrics and logs. Calls are made
 * on the delivery path: an observer does constant work, never I/O, and never throws.
 */
export interface DispatchObserver {
  attemptStarted(delivery: ClaimedDelivery): void;
  /** `next`: the delivery's status after this attempt (`pending` again means a retry). */
  attemptFinished(delivery: ClaimedDelivery, outcome: SendOutcome, next: DeliveryStatus): void;
  /** An endpoint's circuit opened on this node (or opened again after a failed probe). */
  circuitOpened?(endpointId: string, reason: OpenReason): void;
}

/** One observer that tells each of `observers`, in order. */
export function allObservers(...observers: DispatchObserver[]): DispatchObserver {
  return {
    attemptStarted(delivery) {
      for (const o of observers) o.attemptStarted(delivery);
    },
    attemptFinished(delivery, outcome, next) {
      for (const o of observers) o.attemptFinished(delivery, outcome, next);
    },
    circuitOpened(endpointId, reason) {
      for (const o of observers) o.circuitOpened?.(endpointId, reason);
    },
  };
}
