import type { AttemptErrorKind } from "../../dispatch/outcome.ts";
import type { DeliveryStatus } from "../../domain/delivery-status.ts";
import type { EndpointHealth, HealthState } from "../../domain/health-ladder.ts";
import type { PayloadFilter } from "../../endpoint-options/payload-filter.ts";
import type {
  AttemptRow,
  DeliveryRow,
  EndpointRow,
  EventRow,
  Ordering,
  OrderingOnExhausted,
  SignatureSchemes,
} from "../types.ts";

// Column ↔ field mapping, in one place per table.

export interface EndpointRecord {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  enabled_events: string;
  metadata: string;
  signature_schemes: string;
  status: string;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  rate_limit: number | null;
  ordering: string;
  ordering_on_exhausted: string;
  headers: string | null;
  filter: string | null;
  auth: string | null;
  tls_client_cert: string | null;
  tls_client_key: string | null;
  created_at: number;
  updated_at: number;
}

/** The failure ladder's columns: read with the endpoint, written only by the store itself. */
export interface HealthRecord {
  health: string;
  consecutive_failures: number;
  failing_since: number | null;
  disable_at: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
}

export function toHealth(r: HealthRecord): HealthState {
  return {
    health: r.health as EndpointHealth,
    consecutiveFailures: r.consecutive_failures,
    failingSince: r.failing_since,
    disableAt: r.disable_at,
    lastSuccessAt: r.last_success_at,
    lastFailureAt: r.last_failure_at,
  };
}

export function healthParams(h: HealthState): HealthRecord {
  return {
    health: h.health,
    consecutive_failures: h.consecutiveFailures,
    failing_since: h.failingSince,
    disable_at: h.disableAt,
    last_success_at: h.lastSuccessAt,
    last_failure_at: h.lastFailureAt,
  };
}

export function toEndpoint(r: EndpointRecord & HealthRecord): EndpointRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    description: r.description,
    enabledEvents: JSON.parse(r.enabled_events) as string[],
    metadata: JSON.parse(r.metadata) as Record<string, string>,
    signatureSchemes: r.signature_schemes as SignatureSchemes,
    status: r.status as EndpointRow["status"],
    disabledReason: r.disabled_reason,
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretExpiresAt: r.previous_secret_expires_at,
    rateLimit: r.rate_limit,
    ordering: r.ordering as Ordering,
    orderingOnExhausted: r.ordering_on_exhausted as OrderingOnExhausted,
    headers: r.headers === null ? {} : (JSON.parse(r.headers) as Record<string, string>),
    filter: r.filter === null ? null : (JSON.parse(r.filter) as PayloadFilter),
    auth: r.auth,
    tlsClientCert: r.tls_client_cert,
    tlsClientKey: r.tls_client_key,
    health: toHealth(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function endpointParams(e: EndpointRow): EndpointRecord {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    url: e.url,
    description: e.description,
    enabled_events: JSON.stringify(e.enabledEvents),
    metadata: JSON.stringify(e.metadata),
    signature_schemes: e.signatureSchemes,
    status: e.status,
    disabled_reason: e.disabledReason,
    secret: e.secret,
    previous_secret: e.previousSecret,
    previous_secret_expires_at: e.previousSecretExpiresAt,
    rate_limit: e.rateLimit,
    ordering: e.ordering,
    ordering_on_exhausted: e.orderingOnExhausted,
    headers: storedHeaders(e.headers),
    filter: e.filter === null ? null : JSON.stringify(e.filter),
    auth: e.auth,
    tls_client_cert: e.tlsClientCert,
    tls_client_key: e.tlsClientKey,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

/** Custom headers as a column holds them: NULL for none, so claims of most endpoints parse nothing. */
export function storedHeaders(headers: Record<string, string>): string | null {
  return Object.keys(headers).length === 0 ? null : JSON.stringify(headers);
}

export interface EventRecord {
  id: string;
  tenant_id: string;
  type: string;
  created_at: number;
  payload: Buffer;
  idempotency_key: string | null;
  ordering_key: string | null;
  trace_parent: string | null;
  trace_state: string | null;
}

export function toEvent(r: EventRecord): EventRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    createdAt: r.created_at,
    payload: r.payload,
    idempotencyKey: r.idempotency_key,
    orderingKey: r.ordering_key,
    traceParent: r.trace_parent,
    traceState: r.trace_state,
  };
}

export interface DeliveryRecord {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  status: string;
  attempt_count: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  ordering_key: string | null;
  sequence: number | null;
  created_at: number;
  updated_at: number;
}

export function toDelivery(r: DeliveryRecord): DeliveryRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    status: r.status as DeliveryStatus,
    attemptCount: r.attempt_count,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until,
    orderingKey: r.ordering_key,
    sequence: r.sequence,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface AttemptRecord {
  id: string;
  delivery_id: string;
  created_at: number;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error_kind: string | null;
  error_message: string | null;
  trace_parent: string | null;
  request_headers: string;
}

export function toAttempt(r: AttemptRecord): AttemptRow {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    createdAt: r.created_at,
    durationMs: r.duration_ms,
    statusCode: r.status_code,
    responseBody: r.response_body,
    errorKind: r.error_kind as AttemptErrorKind | null,
    errorMessage: r.error_message,
    requestHeaders: JSON.parse(r.request_headers) as Record<string, string>,
    traceParent: r.trace_parent,
  };
}
