import { certificateSummary } from "../endpoint-options/client-certificate.ts";
import { maskHeaders } from "../endpoint-options/custom-headers.ts";
import { publicAuth } from "../endpoint-options/endpoint-auth.ts";
import { healthSummary } from "../health/report.ts";
import type { AttemptRow, DeliveryRow, EndpointRow, EventRow } from "../store/types.ts";

// Rows → the public JSON objects. Times leave as unix seconds, as Stripe's do.
const seconds = (ms: number) => Math.floor(ms / 1000);
const secondsOrNull = (ms: number | null) => (ms === null ? null : seconds(ms));

export function endpointObject(
  e: EndpointRow,
  options: { withSecret?: boolean; withHeaderValues?: boolean; warnings?: string[] } = {},
) {
  return {
    id: e.id,
    object: "webhook_endpoint" as const,
    url: e.url,
    description: e.description,
    enabled_events: e.enabledEvents,
    metadata: e.metadata,
    signature_schemes: e.signatureSchemes,
    status: e.status,
    disabled_reason: e.disabledReason,
    rate_limit: e.rateLimit,
    ordering: e.ordering,
    ordering_on_exhausted: e.orderingOnExhausted,
    headers: options.withHeaderValues ? e.headers : maskHeaders(e.headers),
    filter: e.filter,
    auth: publicAuth(e.auth),
    tls_client_cert: certificateSummary(e.tlsClientCert),
    health: healthSummary(e),
    ...(options.withSecret ? { secret: e.secret } : {}),
    previous_secret_expires_at: secondsOrNull(e.previousSecretExpiresAt),
    created: seconds(e.createdAt),
    livemode: false,
    ...(options.warnings?.length ? { warnings: options.warnings } : {}),
  };
}

/** The stored event with its current `pending_webhooks`. */
export function eventObject(e: EventRow, pending: number): Record<string, unknown> {
  const event = JSON.parse(e.payload.toString("utf8")) as Record<string, unknown>;
  event.pending_webhooks = pending;
  // Events stored before ordering keys existed have none in their bytes.
  if (!("ordering_key" in event)) event.ordering_key = e.orderingKey;
  return event;
}

export function attemptObject(a: AttemptRow) {
  return {
    id: a.id,
    object: "webhook_attempt" as const,
    created: seconds(a.createdAt),
    duration_ms: a.durationMs,
    status_code: a.statusCode,
    response_body: a.responseBody,
    error: a.errorKind === null ? null : { kind: a.errorKind, message: a.errorMessage ?? "" },
    request_headers: a.requestHeaders,
    trace_parent: a.traceParent,
  };
}

export function deliveryObject(d: DeliveryRow, attempts?: AttemptRow[]) {
  return {
    id: d.id,
    object: "webhook_delivery" as const,
    event: d.eventId,
    endpoint: d.endpointId,
    status: d.status,
    attempt_count: d.attemptCount,
    next_attempt_at: d.status === "pending" ? secondsOrNull(d.nextAttemptAt) : null,
    last_attempt_at: secondsOrNull(d.lastAttemptAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    ordering_key: d.orderingKey,
    sequence: d.sequence,
    created: seconds(d.createdAt),
    ...(attempts ? { attempts: attempts.map(attemptObject) } : {}),
  };
}

export function listObject<T>(url: string, data: T[], hasMore: boolean) {
  return { object: "list" as const, data, has_more: hasMore, url };
}
