export type { Event } from "@hookline/webhooks";
export type {
  DeliveryStatus,
  EndpointHealthReport,
  EndpointTest,
  List,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
} from "@hookline/webhooks/client";

/** `GET /v1/stats`. */
export interface Stats {
  object: "stats";
  window: "1h" | "24h";
  endpoint: string | null;
  bucket_seconds: number;
  since: number;
  until: number;
  totals: {
    events: number;
    attempts_ok: number;
    attempts_failed: number;
    success_rate: number | null;
    p95_ms: number | null;
  };
  buckets: {
    start: number;
    events: number;
    attempts_ok: number;
    attempts_failed: number;
    p95_ms: number | null;
  }[];
}

/** A message of `GET /v1/stream`. */
export type LiveMessage =
  | {
      type: "event.created";
      data: { id: string; type: string; created: number; deliveries: number };
    }
  | {
      type: "delivery.attempted";
      data: {
        delivery: string;
        event: string;
        event_type: string;
        endpoint: string;
        status: string;
        attempt_count: number;
        status_code: number | null;
        duration_ms: number;
        error: string | null;
        next_attempt_at: number | null;
        created: number;
      };
    };

/** `GET /v1/portal_session`: the tenant a portal link opens, and until when. */
export interface PortalSession {
  object: "portal_session";
  tenant: { id: string; name: string };
  /** Unix seconds. */
  expires_at: number;
}

/** An outbox row set aside (GET /v1/outbox_failures, root key, PostgreSQL). */
export interface OutboxFailure {
  id: string;
  tenant: string;
  type: string;
  failed: number;
  attempts: number;
  error: { type: string; code: string; message: string; param?: string };
}

export interface OutboxFailureList {
  data: OutboxFailure[];
  has_more: boolean;
}
