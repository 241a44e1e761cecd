import { DeliveryStatus } from "../../src/domain/delivery-status.ts";
import { HEALTHY } from "../../src/domain/health-ladder.ts";
import { IdPrefix, newId } from "../../src/ids.ts";
import type {
  AttemptResult,
  ClaimedDelivery,
  DeliveryRow,
  EndpointRow,
  NewEventRows,
} from "../../src/store/types.ts";

// Rows as ingest and the dispatcher build them, for tests that talk to a store directly.

export const TENANT = "tn_default";

export function endpointRow(at: number, overrides: Partial<EndpointRow> = {}): EndpointRow {
  return {
    id: newId(IdPrefix.endpoint, at),
    tenantId: TENANT,
    url: "http://127.0.0.1:9/hook",
    description: null,
    enabledEvents: ["*"],
    metadata: { team: "payments" },
    signatureSchemes: "both",
    status: "enabled",
    disabledReason: null,
    secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0",
    previousSecret: null,
    previousSecretExpiresAt: null,
    rateLimit: null,
    ordering: "none",
    orderingOnExhausted: "skip",
    headers: {},
    filter: null,
    auth: null,
    tlsClientCert: null,
    tlsClientKey: null,
    health: HEALTHY,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** An event with one delivery per endpoint, pending and due at `at` unless `status` says. */
export function eventRows(
  at: number,
  endpointIds: string[],
  options: {
    type?: string;
    key?: string;
    hash?: string;
    status?: DeliveryStatus;
    /** The event's ordering key, given to every delivery (as to per_key endpoints). */
    orderingKey?: string;
    /** The event's trace context (W3C traceparent and tracestate). */
    traceParent?: string;
    traceState?: string;
  } = {},
): NewEventRows {
  const id = newId(IdPrefix.event, at);
  const status = options.status ?? DeliveryStatus.pending;
  return {
    event: {
      id,
      tenantId: TENANT,
      type: options.type ?? "charge.succeeded",
      createdAt: at,
      payload: Buffer.from(JSON.stringify({ id, object: "event" })),
      idempotencyKey: options.key ?? null,
      orderingKey: options.orderingKey ?? null,
      traceParent: options.traceParent ?? null,
      traceState: options.traceState ?? null,
    },
    deliveries: endpointIds.map(
      (endpointId): DeliveryRow => ({
        id: newId(IdPrefix.delivery, at),
        tenantId: TENANT,
        eventId: id,
        endpointId,
        status,
        attemptCount: 0,
        nextAttemptAt: status === DeliveryStatus.pending ? at : null,
        lastAttemptAt: null,
        lastStatusCode: null,
        lastError: null,
        leaseOwner: null,
        leaseUntil: null,
        orderingKey: options.orderingKey ?? null,
        sequence: null,
        createdAt: at,
        updatedAt: at,
      }),
    ),
    idempotency:
      options.key === undefined
        ? undefined
        : {
            tenantId: TENANT,
            key: options.key,
            operation: "events.create",
            requestHash: options.hash ?? "hash-1",
          },
  };
}

/** The outcome of one attempt of a claimed delivery, as the dispatcher records it. */
export function outcome(
  d: Pick<ClaimedDelivery, "id" | "endpointId" | "attemptCount">,
  at: number,
  result: {
    ok: boolean;
    status?: number;
    nextAttemptAt?: number | null;
    gone?: boolean;
    traceParent?: string;
  },
): AttemptResult {
  const status = result.ok
    ? DeliveryStatus.succeeded
    : result.nextAttemptAt === null
      ? DeliveryStatus.failed
      : DeliveryStatus.pending;
  return {
    deliveryId: d.id,
    endpointId: d.endpointId,
    status,
    attemptCount: d.attemptCount + 1,
    nextAttemptAt: result.ok ? null : (result.nextAttemptAt ?? at + 5000),
    disableEndpoint: result.gone === true,
    attempt: {
      id: newId(IdPrefix.attempt, at),
      deliveryId: d.id,
      createdAt: at,
      durationMs: 12,
      statusCode: result.status ?? (result.ok ? 200 : 500),
      responseBody: result.ok ? "ok" : "boom",
      errorKind: result.ok ? null : "http_status",
      errorMessage: result.ok ? null : "HTTP 500",
      requestHeaders: { "webhook-id": d.id },
      traceParent: result.traceParent ?? null,
    },
  };
}
