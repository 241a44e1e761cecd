import { deliveryObject, endpointObject } from "../api/serialize.ts";
import type { ExhaustedDelivery, Logger } from "../dispatch/dispatcher.ts";
import { HealthTransition } from "../domain/health-ladder.ts";
import { type IngestDeps, ingestEvent } from "../ingest/create-event.ts";
import type { HealthChange } from "../store/types.ts";

/**
 * The events Hookline sends about itself. They are ordinary signed events, delivered to
 * whichever endpoints subscribe to them (`hookline.*` for an operator's endpoint).
 */
export const OperationalEventType = {
  failing: "hookline.endpoint.failing",
  disablingSoon: "hookline.endpoint.disabling_soon",
  disabled: "hookline.endpoint.disabled",
  recovered: "hookline.endpoint.recovered",
  exhausted: "hookline.delivery.exhausted",
} as const;

const BY_TRANSITION = {
  [HealthTransition.failing]: OperationalEventType.failing,
  [HealthTransition.disablingSoon]: OperationalEventType.disablingSoon,
  [HealthTransition.disabled]: OperationalEventType.disabled,
  [HealthTransition.recovered]: OperationalEventType.recovered,
} as const;

export interface OperationalEvents {
  /** Endpoints moved on the failure ladder, or an operator disabled or re-enabled one. */
  endpointsChanged(changes: readonly HealthChange[]): void;
  /** Deliveries whose retries ran out. */
  deliveriesExhausted(deliveries: readonly ExhaustedDelivery[]): void;
}

/**
 * Emits operational events through the same ingest as the API, after the state they describe
 * is committed. They never feed on themselves: the dispatcher reports no exhausted delivery of
 * a `hookline.*` event, and each ladder step happens once per streak of failures.
 */
export function createOperationalEvents(
  deps: IngestDeps & { clock: () => number; log: Logger },
): OperationalEvents {
  const emit = (tenantId: string, type: string, object: Record<string, unknown>) =>
    ingestEvent(
      deps,
      { tenantId, type, data: { object }, requestId: null, idempotencyKey: undefined },
      deps.clock(),
    ).catch((error: unknown) =>
      deps.log.error({ err: error, type }, "emitting an operational event failed"),
    );

  return {
    endpointsChanged(changes) {
      for (const change of changes) {
        void deps.store.getEndpoint(change.tenantId, change.endpointId).then((endpoint) => {
          if (endpoint === undefined) return;
          deps.log.warn(
            { endpoint_id: endpoint.id, transition: change.transition, reason: change.reason },
            `endpoint ${change.transition.replace("_", " ")}`,
          );
          return emit(change.tenantId, BY_TRANSITION[change.transition], {
            ...endpointObject(endpoint),
            ...(change.reason === null ? {} : { reason: change.reason }),
          });
        });
      }
    },
    deliveriesExhausted(deliveries) {
      for (const item of deliveries) {
        void deps.store.getDelivery(item.tenantId, item.deliveryId).then((delivery) => {
          if (delivery === undefined) return;
          return emit(item.tenantId, OperationalEventType.exhausted, {
            ...deliveryObject(delivery),
            event_type: item.eventType,
          });
        });
      }
    },
  };
}
