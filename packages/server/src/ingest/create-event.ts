import { createHash } from "node:crypto";
import type { Circuit } from "../domain/circuit-breaker.ts";
import { DeliveryStatus } from "../domain/delivery-status.ts";
import { matchesEventType } from "../domain/match.ts";
import { signingSecrets } from "../domain/signing-secrets.ts";
import { IdPrefix, newId } from "../ids.ts";
import type { ClaimedDelivery, DeliveryRow, EndpointRow, EventRow, Store } from "../store/types.ts";
import type { CommitQueue } from "./commit-queue.ts";
import type { EndpointCache } from "./endpoint-cache.ts";

export interface NewEvent {
  tenantId: string;
  type: string;
  data: {
    object: Record<string, unknown>;
    previous_attributes?: Record<string, unknown> | undefined;
  };
  /** The API request that created it; `null` for the events Hookline emits itself. */
  requestId: string | null;
  idempotencyKey: string | undefined;
  /** Given, or `null` for none; absent: `data.object.id` when it is a string (docs/ordering.md). */
  orderingKey?: string | null | undefined;
}

/**
 * The dispatcher's side of "claim at insert": a delivery whose endpoint has a free slot on this
 * node is inserted already leased to it and handed over in memory after the commit, which saves
 * a claim transaction and a trip through the event loop on the hot path.
 */
export interface DeliveryHandoff {
  owner: string;
  leaseMs: number;
  hasRoom(endpointId: string): boolean;
  adopt(deliveries: ClaimedDelivery[]): void;
  /**
   * Deliveries were left pending for the dispatcher to claim: of these endpoints, or of any
   * when none are named.
   */
  wake(endpointIds?: Iterable<string>): void;
  /** Forgets what this node learned of an endpoint's failures (an operator says it is fixed). */
  resetEndpoint(endpointId: string): void;
  /** This node's circuit for the endpoint when it is not closed (health report, metrics). */
  circuitOf?(endpointId: string): Circuit | undefined;
}

export interface IngestDeps {
  store: Store;
  commits: CommitQueue;
  endpoints: EndpointCache;
  handoff: DeliveryHandoff;
}

export type IngestResult = { kind: "created" | "replayed"; event: EventRow } | { kind: "conflict" };

/**
 * Ingest: build the event's bytes once, match the tenant's endpoints, and commit the event with
 * one delivery per match in one transaction: pending for an enabled endpoint, `skipped` for a
 * disabled one (recorded, so recovery can send it later). Accepted = committed: the caller
 * answers only after this resolves.
 */
export async function ingestEvent(
  deps: IngestDeps,
  input: NewEvent,
  now: number,
): Promise<IngestResult> {
  const endpoints = (await deps.endpoints.ofTenant(input.tenantId)).filter((e) =>
    matchesEventType(e.enabledEvents, input.type),
  );
  const enabled = endpoints.filter((e) => e.status === "enabled").length;
  const id = newId(IdPrefix.event);
  const orderingKey = orderingKeyOf(input);
  // Stripe's field order; these bytes are what every attempt sends.
  const payload = Buffer.from(
    JSON.stringify({
      id,
      object: "event",
      api_version: null,
      created: Math.floor(now / 1000),
      data: input.data,
      livemode: false,
      ordering_key: orderingKey,
      pending_webhooks: enabled,
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
    orderingKey,
  };
  const claimed: ClaimedDelivery[] = [];
  const left: string[] = [];
  const deliveries = endpoints.map((endpoint) => {
    const row = newDelivery(input.tenantId, id, endpoint.id, now);
    if (endpoint.ordering === "per_key") row.orderingKey = event.orderingKey;
    if (endpoint.status === "disabled") {
      row.status = DeliveryStatus.skipped;
      row.nextAttemptAt = null;
    } else if (row.orderingKey === null && deps.handoff.hasRoom(endpoint.id)) {
      // A keyed delivery is never leased at insert: only the claim knows whether an earlier one
      // of its key is still open.
      row.status = DeliveryStatus.inFlight;
      row.leaseOwner = deps.handoff.owner;
      row.leaseUntil = now + deps.handoff.leaseMs;
      claimed.push(claimedAtInsert(row, endpoint, event, now));
    } else {
      left.push(endpoint.id);
    }
    return row;
  });
  const key =
    input.idempotencyKey === undefined
      ? undefined
      : {
          tenantId: input.tenantId,
          key: input.idempotencyKey,
          operation: "events.create",
          // The key given counts as part of the request; none given hashes as before.
          requestHash:
            input.orderingKey === undefined
              ? requestHash({ type: input.type, data: input.data })
              : requestHash({
                  type: input.type,
                  data: input.data,
                  ordering_key: input.orderingKey,
                }),
        };
  const { result, durable } = await deps.commits.commit({ event, deliveries, idempotency: key });
  if (result.kind === "created") {
    // Sent while the commit is being synced: the receipt waits for the network, not the disk.
    if (claimed.length > 0) deps.handoff.adopt(claimed);
    if (left.length > 0) deps.handoff.wake(left);
  }
  await durable;
  if (result.kind === "conflict") return result;
  if (result.kind === "created") return { kind: "created", event };
  const first = await deps.store.getEvent(input.tenantId, result.eventId);
  if (first === undefined) {
    throw new Error(`idempotency record points to missing event ${result.eventId}`);
  }
  return { kind: "replayed", event: first };
}

function newDelivery(
  tenantId: string,
  eventId: string,
  endpointId: string,
  now: number,
): DeliveryRow {
  return {
    id: newId(IdPrefix.delivery),
    tenantId,
    eventId,
    endpointId,
    status: DeliveryStatus.pending,
    attemptCount: 0,
    nextAttemptAt: now,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    leaseOwner: null,
    leaseUntil: null,
    orderingKey: null,
    sequence: null,
    createdAt: now,
    updatedAt: now,
  };
}

function claimedAtInsert(
  row: DeliveryRow,
  endpoint: EndpointRow,
  event: EventRow,
  now: number,
): ClaimedDelivery {
  return {
    id: row.id,
    tenantId: row.tenantId,
    eventId: row.eventId,
    eventType: event.type,
    endpointId: endpoint.id,
    attemptCount: 0,
    url: endpoint.url,
    rateLimit: endpoint.rateLimit,
    payload: event.payload,
    secrets: signingSecrets(endpoint, now),
    signatureSchemes: endpoint.signatureSchemes,
    orderingKey: null,
    sequence: null,
  };
}

/** The longest ordering key accepted; longer `data.object.id`s leave an event unkeyed. */
export const MAX_ORDERING_KEY = 200;

/** The event's ordering key: the one given, else the id of `data.object` when it has one. */
function orderingKeyOf(input: NewEvent): string | null {
  if (input.orderingKey !== undefined) return input.orderingKey;
  const id = input.data.object.id;
  return typeof id === "string" && id.length > 0 && id.length <= MAX_ORDERING_KEY ? id : null;
}

/** A stable hash of a request body, to tell a replay from a reuse of the key. */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("base64url");
}
