import type { DispatchObserver } from "../dispatch/observer.ts";
import type { AcceptedListener } from "../ingest/observe-commits.ts";
import type { AttemptResult, Store } from "../store/types.ts";
import { type LiveHub, LiveMessageType } from "./hub.ts";

const seconds = (ms: number) => Math.floor(ms / 1000);

/** What the attempt result recorded in the store does not say about its delivery. */
interface Pending {
  tenantId: string;
  eventId: string;
  eventType: string;
}

/** Past this many unrecorded attempts something is wrong with recording: forget, do not grow. */
const MAX_PENDING = 100_000;

/**
 * Feeds the live hub from the existing hooks: committed events (the commit queue's listener)
 * and attempt outcomes. An outcome is published only once the store has recorded it, so a
 * dashboard that reloads a delivery or an endpoint on the message reads the new state; the
 * observer remembers the delivery's event until then.
 */
export function createLiveFeed(hub: LiveHub) {
  const pending = new Map<string, Pending>();

  const accepted: AcceptedListener = (event, deliveries) =>
    hub.publish({
      type: LiveMessageType.eventCreated,
      tenantId: event.tenantId,
      data: { id: event.id, type: event.type, created: seconds(event.createdAt), deliveries },
    });

  const dispatch: DispatchObserver = {
    attemptStarted() {},
    attemptFinished(delivery) {
      if (hub.subscriberCount() === 0) return;
      if (pending.size >= MAX_PENDING) pending.clear();
      pending.set(delivery.id, {
        tenantId: delivery.tenantId,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
      });
    },
  };

  function recorded(results: readonly AttemptResult[]): void {
    for (const result of results) {
      const known = pending.get(result.deliveryId);
      if (known === undefined) continue;
      pending.delete(result.deliveryId);
      const { attempt } = result;
      hub.publish({
        type: LiveMessageType.deliveryAttempted,
        tenantId: known.tenantId,
        data: {
          delivery: result.deliveryId,
          event: known.eventId,
          event_type: known.eventType,
          endpoint: result.endpointId,
          status: result.status,
          attempt_count: result.attemptCount,
          status_code: attempt.statusCode,
          duration_ms: attempt.durationMs,
          error: attempt.errorKind,
          next_attempt_at: result.nextAttemptAt === null ? null : seconds(result.nextAttemptAt),
          created: seconds(attempt.createdAt),
        },
      });
    }
  }

  /** `store`, telling the feed of the outcomes it has committed. */
  function watch(store: Store): Store {
    const watched: Store = Object.create(store);
    watched.recordResults = async (results, now, ladder) => {
      const changes = await store.recordResults(results, now, ladder);
      recorded(results);
      return changes;
    };
    return watched;
  }

  return { accepted, dispatch, watch };
}
