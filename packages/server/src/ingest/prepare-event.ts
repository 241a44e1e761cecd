import { createHash } from "node:crypto";
import { DeliveryStatus } from "../domain/delivery-status.ts";
import { signingSecrets } from "../domain/signing-secrets.ts";
import { tlsClientOf } from "../endpoint-options/client-certificate.ts";
import { passesFilter } from "../endpoint-options/payload-filter.ts";
import { IdPrefix, newId } from "../ids.ts";
import type {
  ClaimedDelivery,
  DeliveryRow,
  EndpointRow,
  EventRow,
  NewEventRows,
} from "../store/types.ts";
import { childTraceParent, rootTraceParent } from "../trace/trace-context.ts";
import { newSpanId, newTraceId } from "../trace/trace-ids.ts";
import type { DeliveryHandoff, NewEvent } from "./create-event.ts";

/** An event's rows before its commit, with what to hand the dispatcher after it. */
export interface PreparedEvent {
  rows: NewEventRows;
  /** Deliveries inserted already leased to this node, sent once the commit lands. */
  claimed: ClaimedDelivery[];
  /** Endpoints whose deliveries were left pending, for the dispatcher to claim. */
  left: string[];
}

/**
 * Builds the event's bytes once and one delivery per endpoint subscribed to its type whose payload filter (if any) passes it
 * (`endpoints`, enabled or not: EndpointCache.matching): pending for an enabled endpoint, or already leased to this node
 * when it has room (claim at insert), `skipped` for a disabled one (recorded, so recovery can
 * send it later).
 */
export function prepareEvent(
  handoff: DeliveryHandoff,
  endpoints: readonly EndpointRow[],
  input: NewEvent,
  now: number,
): PreparedEvent {
  const id = newId(IdPrefix.event);
  const orderingKey = orderingKeyOf(input);
  // Stripe's field order; these bytes are what every attempt sends.
  const body = {
    id,
    object: "event",
    api_version: null,
    created: Math.floor(now / 1000),
    data: input.data,
    livemode: false,
    ordering_key: orderingKey,
    pending_webhooks: 0,
    request: { id: input.requestId, idempotency_key: input.idempotencyKey ?? null },
    type: input.type,
  };
  const targets = filtered(endpoints, body);
  body.pending_webhooks = targets.filter((e) => e.status === "enabled").length;
  const payload = Buffer.from(JSON.stringify(body));
  const event: EventRow = {
    id,
    tenantId: input.tenantId,
    type: input.type,
    createdAt: now,
    payload,
    idempotencyKey: input.idempotencyKey ?? null,
    orderingKey,
    // The ingest's own span: in the request's trace when it brought one, else in a new trace
    // per event. Every attempt of the event's deliveries is a child of it (trace-headers.ts).
    traceParent:
      input.trace === undefined
        ? rootTraceParent(newTraceId(), newSpanId())
        : childTraceParent(input.trace.parent, newSpanId()),
    traceState: input.trace?.state ?? null,
  };
  const claimed: ClaimedDelivery[] = [];
  const left: string[] = [];
  const deliveries = targets.map((endpoint) => {
    const row = newDelivery(input.tenantId, id, endpoint.id, now);
    if (endpoint.ordering === "per_key") row.orderingKey = event.orderingKey;
    if (endpoint.status === "disabled") {
      row.status = DeliveryStatus.skipped;
      row.nextAttemptAt = null;
    } else if (row.orderingKey === null && handoff.hasRoom(endpoint.id)) {
      // A keyed delivery is never leased at insert: only the claim knows whether an earlier one
      // of its key is still open.
      row.status = DeliveryStatus.inFlight;
      row.leaseOwner = handoff.owner;
      row.leaseUntil = now + handoff.leaseMs;
      claimed.push(claimedAtInsert(row, endpoint, event, now));
    } else {
      left.push(endpoint.id);
    }
    return row;
  });
  const key = input.idempotencyKey;
  const idempotency =
    key === undefined
      ? undefined
      : {
          tenantId: input.tenantId,
          key: input.keyScope?.key ?? key,
          operation: input.keyScope?.operation ?? "events.create",
          // An ordering key given counts as part of the request; none given hashes as before.
          requestHash:
            input.orderingKey === undefined
              ? requestHash({ type: input.type, data: input.data })
              : requestHash({
                  type: input.type,
                  data: input.data,
                  ordering_key: input.orderingKey,
                }),
        };
  return { rows: { event, deliveries, idempotency }, claimed, left };
}

/**
 * The endpoints whose payload filter passes the event (as the receiver will see it). Endpoints
 * without a filter pass untouched, and a tenant with none gets its list back as it was.
 */
function filtered(endpoints: readonly EndpointRow[], event: unknown): readonly EndpointRow[] {
  if (!endpoints.some((e) => e.filter !== null)) return endpoints;
  return endpoints.filter((e) => e.filter === null || passesFilter(e.filter, event));
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
    headers: hasAny(endpoint.headers) ? endpoint.headers : null,
    auth: endpoint.auth,
    tlsClient: tlsClientOf(endpoint.tlsClientCert, endpoint.tlsClientKey),
    orderingKey: null,
    sequence: null,
    traceParent: event.traceParent,
    traceState: event.traceState,
  };
}

/** Without allocating a list of keys: this runs for every delivery claimed at insert. */
function hasAny(headers: Readonly<Record<string, string>>): boolean {
  for (const _ in headers) return true;
  return false;
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
