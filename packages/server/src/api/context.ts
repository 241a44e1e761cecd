import type { Config } from "../config/config.ts";
import type { Sender } from "../dispatch/send.ts";
import type { OperationalEvents } from "../health/operational-events.ts";
import type { CommitQueue } from "../ingest/commit-queue.ts";
import type { DeliveryHandoff } from "../ingest/create-event.ts";
import type { EndpointCache } from "../ingest/endpoint-cache.ts";
import type { LiveHub } from "../live/hub.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Availability } from "../store/availability.ts";
import type { TenantStore } from "../store/tenant-types.ts";
import type { Store } from "../store/types.ts";
import type { IngestSpans } from "../trace/span-export.ts";

/** What the HTTP layer needs from the rest of the process. */
export interface AppContext {
  store: Store;
  /** Tenants and their API keys. */
  tenants: TenantStore;
  /** Group commit for new events. */
  commits: CommitQueue;
  /** Endpoints per tenant, for matching; invalidated by every endpoint write. */
  endpoints: EndpointCache;
  /** The dispatcher, as ingest and retries see it. */
  handoff: DeliveryHandoff;
  config: Config;
  /** Unix milliseconds. */
  clock: () => number;
  /** SHA-256 of the root API key. */
  rootKeyHash: Buffer;
  /** Operational events for what operators do to endpoints (disable, re-enable). */
  operational: OperationalEvents;
  /** For /readyz. */
  dispatcherRunning: () => boolean;
  /** Whether the store is up, as its calls tell (store/availability.ts); for /readyz. */
  storeAvailability?: Availability;
  /** Prometheus metrics, served at /metrics. */
  metrics?: Metrics;
  /** New events and attempt outcomes for GET /v1/stream; without it the stream stays quiet. */
  live?: LiveHub;
  /** The sender deliveries go through, for an endpoint's test send; without it, a 503. */
  sender?: Sender;
  /** With OpenTelemetry export on: a span for every event ingested. */
  spans?: IngestSpans | undefined;
}

/** The default tenant; tenant-scoped keys arrive with "Security and tenancy". */
export const DEFAULT_TENANT = "tn_default";
