import type { DispatchObserver } from "../dispatch/observer.ts";
import type { AcceptedListener } from "../ingest/observe-commits.ts";
import type { Logger } from "./logger.ts";

/**
 * Debug lines for what succeeds, one per accepted event and per delivered attempt. Failed
 * attempts are logged by the dispatcher itself, at info, with the same ids. Debug because at
 * thousands of events a second these lines would cost more than the work they describe.
 */
export function logAccepted(log: Logger): AcceptedListener {
  return (event, deliveries) => {
    if (!log.isLevelEnabled("debug")) return;
    log.debug(
      { event_id: event.id, tenant: event.tenantId, type: event.type, deliveries },
      "event accepted",
    );
  };
}

export function logAttempts(log: Logger): DispatchObserver {
  return {
    attemptStarted() {},
    attemptFinished(delivery, outcome, next) {
      if (outcome.kind !== "delivered" || !log.isLevelEnabled("debug")) return;
      log.debug(
        {
          tenant: delivery.tenantId,
          event_id: delivery.eventId,
          delivery_id: delivery.id,
          endpoint_id: delivery.endpointId,
          attempt: delivery.attemptCount + 1,
          status: outcome.status,
          duration_ms: Math.round(outcome.durationMs),
          next,
        },
        "attempt delivered",
      );
    },
  };
}
