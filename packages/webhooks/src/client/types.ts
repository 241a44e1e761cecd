// The objects and parameters of the Hookline API, as GET /v1/openapi.json documents them
// (components.schemas). The client's contract test checks each answer against that document.

import type { Event } from "../event.ts";

/** Where an enabled endpoint is on the failure ladder. */
export interface EndpointHealthSummary {
  state: "healthy" | "failing" | "disabling_soon";
  consecutive_failures: number;
  failing_since: number | null;
  disable_at: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
}

export interface WebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  url: string;
  description: string | null;
  enabled_events: string[];
  metadata: Record<string, string>;
  signature_schemes: string;
  status: "enabled" | "disabled";
  disabled_reason: string | null;
  rate_limit: number | null;
  /** `per_key`: each ordering key's deliveries go one at a time, in creation order. */
  ordering: "none" | "per_key";
  /**
   * When a key's oldest delivery fails after its last retry: `skip` it and go on with the key's
   * next, or `hold` the key until that delivery is retried or recovered.
   */
  ordering_on_exhausted: "skip" | "hold";
  /** Custom header names; values only in the create's answer, masked (`"********"`) after. */
  headers: Record<string, string>;
  /** Only events this query matches are delivered; `null`: every subscribed event. */
  filter: PayloadFilter | null;
  /** Authentication to the endpoint; never its password or client secret. */
  auth: EndpointAuthSummary | null;
  /** The client certificate presented for mutual TLS, as it describes itself; never its key. */
  tls_client_cert: ClientCertificateSummary | null;
  health: EndpointHealthSummary;
  /** Only in the answers of create and rotate_secret. */
  secret?: string;
  previous_secret_expires_at: number | null;
  created: number;
  livemode: boolean;
  warnings?: string[];
}

/**
 * A MongoDB-style query over the event as delivered: `$eq $ne $in $nin $gt $gte $lt $lte
 * $exists $not` on dotted paths (`"data.object.amount"`), `$and $or` around queries.
 */
export type PayloadFilter = Record<string, unknown>;

/** What an endpoint's answer says of its client certificate. */
export interface ClientCertificateSummary {
  /** Such as `"CN=hookline, O=Acme"`. */
  subject: string;
  issuer: string;
  /** Unix seconds. */
  expires_at: number;
  /** SHA-256 of the DER certificate, colon-separated hex. */
  fingerprint_sha256: string;
}

/** What an endpoint's answer says of its `auth`. */
export type EndpointAuthSummary =
  | { type: "basic"; username: string }
  | {
      type: "oauth2_client_credentials";
      token_url: string;
      client_id: string;
      scope: string | null;
    };

/**
 * Authentication to the endpoint beside the signature (mutual TLS is `tls_client_cert`).
 *
 * @example
 * { type: "oauth2_client_credentials", token_url: "https://auth.example.com/oauth/token",
 *   client_id: "hookline", client_secret: process.env.WEBHOOK_CLIENT_SECRET!, scope: "webhooks" }
 */
export type EndpointAuthParams =
  | { type: "basic"; username: string; password: string }
  | {
      /**
       * A token got with the client credentials grant (client_secret_basic), cached until
       * shortly before it expires, sent as `Authorization: Bearer`; a 401 gets a new one once.
       */
      type: "oauth2_client_credentials";
      token_url: string;
      client_id: string;
      client_secret: string;
      /** Space-separated scopes to ask for. */
      scope?: string;
    };

/** The answer of `POST /v1/webhook_endpoints/{id}/test`: the example event and its one attempt. */
export interface EndpointTest {
  object: "webhook_endpoint_test";
  endpoint: string;
  /** The endpoint answered 2xx within the delivery timeout. */
  succeeded: boolean;
  /** The example event, exactly as sent (not stored). */
  event: Record<string, unknown>;
  attempt: WebhookAttempt;
}

export interface FilterTest {
  object: "webhook_endpoint_filter_test";
  matches: boolean;
}

export interface DeletedWebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  deleted: true;
}

export interface EndpointHealthReport extends Omit<EndpointHealthSummary, "state"> {
  object: "webhook_endpoint_health";
  endpoint: string;
  status: "enabled" | "disabled";
  state: string;
  window: {
    since: number;
    attempts: number;
    success_rate: number | null;
    latency_ms: { p50: number | null; p95: number | null };
  };
  deliveries: { pending: number; in_flight: number; failed: number; skipped: number };
}

export interface EndpointRecovery {
  object: "webhook_endpoint_recovery";
  endpoint: string;
  since: number;
  until: number;
  requeued: number;
}

export interface WebhookAttempt {
  id: string;
  object: "webhook_attempt";
  created: number;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error: { kind: string; message: string } | null;
  request_headers: Record<string, string>;
  /** The W3C `traceparent` the attempt sent (the event's trace, a span of its own); null: none. */
  trace_parent: string | null;
}

export type DeliveryStatus =
  | "pending"
  | "in_flight"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "skipped";

export interface WebhookDelivery {
  id: string;
  object: "webhook_delivery";
  event: string;
  endpoint: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  /** Deliveries of a `per_key` endpoint: the event's ordering key and its place in it (from 1). */
  ordering_key: string | null;
  sequence: number | null;
  created: number;
  /** Only when retrieved one by one. */
  attempts?: WebhookAttempt[];
}

export interface CreateEndpointParams {
  url: string;
  /** `["*"]`, exact types, or prefixes such as `"invoice.*"`. */
  enabled_events: string[];
  description?: string;
  metadata?: Record<string, string>;
  signature_schemes?: "both" | "stripe" | "standard";
  rate_limit?: number | null;
  ordering?: "none" | "per_key";
  ordering_on_exhausted?: "skip" | "hold";
  /** Sent with every delivery; at most 20, 8 KB in all; sender-owned names are refused. */
  headers?: Record<string, string>;
  filter?: PayloadFilter | null;
  /** Sent as `Authorization: Basic …` with every delivery; sealed at rest. */
  auth?: EndpointAuthParams | null;
  /**
   * A client certificate (PEM, leaf first) presented to the endpoint for mutual TLS, with its
   * unencrypted private key (PEM; sealed at rest, never shown). Both or neither.
   */
  tls_client_cert?: string | null;
  tls_client_key?: string | null;
  /** An existing `whsec_` secret, to migrate without re-keying receivers. */
  secret?: string;
}

export interface UpdateEndpointParams {
  url?: string;
  enabled_events?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
  signature_schemes?: "both" | "stripe" | "standard";
  rate_limit?: number | null;
  /** Applies to deliveries created from then on. */
  ordering?: "none" | "per_key";
  /** From `hold` to `skip` releases the keys held now. */
  ordering_on_exhausted?: "skip" | "hold";
  /** Merged: a string sets a header, `null` removes it; `null` removes them all. */
  headers?: Record<string, string | null> | null;
  /** `null` removes the filter. */
  filter?: PayloadFilter | null;
  /** `null` removes it. */
  auth?: EndpointAuthParams | null;
  /** Replaced together; `null` for both removes them. */
  tls_client_cert?: string | null;
  tls_client_key?: string | null;
  disabled?: boolean;
}

export interface CreateEventParams<TObject = Record<string, unknown>> {
  type: string;
  data: { object: TObject; previous_attributes?: Record<string, unknown> };
  /**
   * Events of one key reach `per_key` endpoints in creation order. Default: `data.object.id`;
   * `null` for none.
   */
  ordering_key?: string | null;
}

/** One event of `events.createMany`: a create's params, with its own idempotency key. */
export interface BatchEventParams<TObject = Record<string, unknown>>
  extends CreateEventParams<TObject> {
  /** The same key space as a single create's Idempotency-Key: one event through either call. */
  idempotency_key?: string;
}

/** What `events.createMany` answers for one item: its event, or why it was refused. */
export type BatchItemResult<TObject = Record<string, unknown>> =
  | Event<string, TObject>
  | { error: { type: string; code: string; message: string; param?: string } };

/** Options of one call. */
export interface RequestOptions {
  /** Makes a create safe to repeat; one is generated when not given, so retries are safe. */
  idempotencyKey?: string;
}

export interface Tenant {
  id: string;
  object: "tenant";
  name: string;
  metadata: Record<string, string>;
  created: number;
}

export interface CreateTenantParams {
  /** Your own id (`tn_` and up to 64 letters and digits); generated when omitted. */
  id?: string;
  name: string;
  metadata?: Record<string, string>;
}

export interface DeletedTenant {
  id: string;
  object: "tenant";
  deleted: true;
}

export interface ApiKey {
  id: string;
  object: "api_key";
  tenant: string;
  name: string | null;
  /** The key itself: in the create answer only. */
  key?: string;
  key_hint: string;
  created: number;
  revoked: number | null;
}

export interface PortalLink {
  object: "portal_link";
  tenant: string;
  url: string;
  token: string;
  expires_at: number;
}
