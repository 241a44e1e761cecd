import type { AttemptErrorKind } from "../../dispatch/outcome.ts";
import type { PayloadFilter } from "../../endpoint-options/payload-filter.ts";
import type { HealthRecord } from "../sqlite/rows.ts";
import { storedHeaders, toHealth } from "../sqlite/rows.ts";
import type {
  AttemptRow,
  EndpointRow,
  Ordering,
  OrderingOnExhausted,
  SignatureSchemes,
} from "../types.ts";

// Column ↔ field mapping where PostgreSQL differs from SQLite: JSONB columns arrive parsed.
// Events and deliveries have the same columns and types in both (bigint reads as a number, see
// pool.ts), so their SQLite mappers serve here too.
export {
  type DeliveryRecord,
  type EventRecord,
  type HealthRecord,
  healthParams,
  toDelivery,
  toEvent,
  toHealth,
} from "../sqlite/rows.ts";

export interface EndpointRecord extends HealthRecord {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  enabled_events: string[];
  metadata: Record<string, string>;
  signature_schemes: string;
  status: string;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  rate_limit: number | null;
  ordering: string;
  ordering_on_exhausted: string;
  headers: Record<string, string> | null;
  filter: PayloadFilter | null;
  auth: string | null;
  tls_client_cert: string | null;
  tls_client_key: string | null;
  created_at: number;
  updated_at: number;
}

export function toEndpoint(r: EndpointRecord): EndpointRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    description: r.description,
    enabledEvents: r.enabled_events,
    metadata: r.metadata,
    signatureSchemes: r.signature_schemes as SignatureSchemes,
    status: r.status as EndpointRow["status"],
    disabledReason: r.disabled_reason,
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretExpiresAt: r.previous_secret_expires_at,
    rateLimit: r.rate_limit,
    ordering: r.ordering as Ordering,
    orderingOnExhausted: r.ordering_on_exhausted as OrderingOnExhausted,
    headers: r.headers ?? {},
    filter: r.filter,
    auth: r.auth,
    tlsClientCert: r.tls_client_cert,
    tlsClientKey: r.tls_client_key,
    health: toHealth(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** What an insert or an update writes, in column order (the health columns are the store's). */
export const ENDPOINT_COLUMNS = [
  "id",
  "tenant_id",
  "url",
  "description",
  "enabled_events",
  "metadata",
  "signature_schemes",
  "status",
  "disabled_reason",
  "secret",
  "previous_secret",
  "previous_secret_expires_at",
  "rate_limit",
  "ordering",
  "ordering_on_exhausted",
  "headers",
  "filter",
  "auth",
  "tls_client_cert",
  "tls_client_key",
  "created_at",
  "updated_at",
] as const;

export function endpointValues(e: EndpointRow): unknown[] {
  return [
    e.id,
    e.tenantId,
    e.url,
    e.description,
    // JSON text: `pg` would send a JS array as a PostgreSQL array, not as JSON.
    JSON.stringify(e.enabledEvents),
    JSON.stringify(e.metadata),
    e.signatureSchemes,
    e.status,
    e.disabledReason,
    e.secret,
    e.previousSecret,
    e.previousSecretExpiresAt,
    e.rateLimit,
    e.ordering,
    e.orderingOnExhausted,
    storedHeaders(e.headers),
    e.filter === null ? null : JSON.stringify(e.filter),
    e.auth,
    e.tlsClientCert,
    e.tlsClientKey,
    e.createdAt,
    e.updatedAt,
  ];
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
  request_headers: Record<string, string>;
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
    requestHeaders: r.request_headers,
    traceParent: r.trace_parent,
  };
}
