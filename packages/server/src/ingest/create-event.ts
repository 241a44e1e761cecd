import { createHash } from "node:crypto";
import { DeliveryStatus } from "../domain/delivery-status.ts";
import { matchesEventType } from "../domain/match.ts";
import { IdPrefix, newId } from "../ids.ts";
import type { DeliveryRow, EventRow, Store } from "../store/types.ts";
import type { CommitQueue } from "./commit-queue.ts";

export interface NewEvent {
  tenantId: string;
  type: string;
  data: {
    object: Record<string, unknown>;
    previous_attributes?: Record<string, unknown> | undefined;
  };
  requestId: string;
  idempotencyKey: string | undefined;
}

export type IngestResult = { kind: "created" | "replayed"; event: EventRow } | { kind: "conflict" };

/**
 * Ingest: build the event's bytes once, match the tenant's enabled endpoints, and commit the
 * event with one pending delivery per match in one transaction. Accepted = committed: the
 * caller answers only after this resolves.
 */
export async function ingestEvent(
  store: Store,
  commits: CommitQueue,
  input: NewEvent,
  now: number,
): Promise<IngestResult> {
  const endpoints = (await store.enabledEndpoints(input.tenantId)).filter((e) =>
    matchesEventType(e.enabledEvents, input.type),
  );
  const id = newId(IdPrefix.event);
  // Stripe's field order; these bytes are what every attempt sends.
  const payload = Buffer.from(
    JSON.stringify({
      id,
      object: "event",
      api_version: null,
      created: Math.floor(now / 1000),
      data: input.data,
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: input.requestId, idempotency_key: input.idempotencyKey ?? null },
      type: input.type,
    }),
  );
  const event: EventRow = {
    id,
    tenantId: input.tenantId,
    type: input.type,
    createdAt: now,
    payload,
    idempotencyKey: input.idempotencyKey ?? null,
  };
  const deliveries = endpoints.map(
    (endpoint): DeliveryRow => ({
      id: newId(IdPrefix.delivery),
      tenantId: input.tenantId,
      eventId: id,
      endpointId: endpoint.id,
      status: DeliveryStatus.pending,
      attemptCount: 0,
      nextAttemptAt: now,
      lastAttemptAt: null,
      lastStatusCode: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
  const key =
    input.idempotencyKey === undefined
      ? undefined
      : {
          tenantId: input.tenantId,
          key: input.idempotencyKey,
          operation: "events.create",
          requestHash: requestHash({ type: input.type, data: input.data }),
        };
  const result = await commits.commit({ event, deliveries, idempotency: key });
  if (result.kind === "conflict") return result;
  if (result.kind === "created") return { kind: "created", event };
  const first = await store.getEvent(input.tenantId, result.eventId);
  if (first === undefined)
    throw new Error(`idempotency record points to missing event ${result.eventId}`);
  return { kind: "replayed", event: first };
}

/** A stable hash of a request body, to tell a replay from a reuse of the key. */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("base64url");
}
