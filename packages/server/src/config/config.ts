import type { BreakerPolicy } from "../domain/circuit-breaker.ts";
import type { LadderPolicy } from "../domain/health-ladder.ts";

/** Everything `hookline serve` runs with, after flags, environment and defaults are merged. */
export interface Config {
  port: number;
  host: string;
  /** A SQLite file path, or a postgres:// URL. */
  database: string;
  /** What this node runs: `all` (API and dispatcher), `api` only, or `worker` (dispatcher only). */
  role: NodeRole;
  /**
   * How long a claim holds a delivery before another node may take it (its holder died):
   * the longest an attempt of a crashed node waits to be sent again.
   */
  leaseMs: number;
  /** The root API key when given by HOOKLINE_API_KEY; otherwise one is generated on first start. */
  apiKey: string | undefined;
  /** Seals endpoint secrets at rest (32 bytes, base64); generated beside a SQLite file if unset. */
  encryptionKey: string | undefined;
  /** Keys rotated out: secrets sealed under them still open, and are re-sealed at start. */
  encryptionOldKeys: string[];
  /** Waits between attempts, in ms: attempt n+1 waits retrySchedule[n-1]. */
  retrySchedule: number[];
  deliveryTimeoutMs: number;
  allowedNetworks: string[];
  /** CA certificates (PEM) the sender trusts for endpoints besides Node's bundled roots. */
  extraCaCerts: string[];
  /** An HTTP forward proxy every delivery and token request goes through (CONNECT tunnels). */
  proxyUrl: string | undefined;
  /**
   * Where OpenTelemetry spans go (OTLP/HTTP, `…/v1/traces`), from OTEL_EXPORTER_OTLP_ENDPOINT
   * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; undefined: no export.
   */
  otlpTracesUrl: string | undefined;
  /** OTEL_SERVICE_NAME, default `hookline`. */
  serviceName: string;
  dev: boolean;
  /** Refuse plain http endpoint URLs and targets. */
  httpsOnly: boolean;
  /** Most endpoints one tenant may have. */
  maxEndpointsPerTenant: number;
  /** API requests per second per tenant key (0: no limit). */
  apiRateLimit: number;
  /** API requests per second with the root key (0: no limit). */
  rootApiRateLimit: number;
  /** Largest accepted API request body, in bytes. */
  maxPayloadBytes: number;
  /** Most events in one `POST /v1/events/batch`. */
  maxBatchEvents: number;
  /** Largest accepted `POST /v1/events/batch` body, in bytes. */
  maxBatchBytes: number;
  /** Global cap on attempts in flight. */
  maxInFlight: number;
  /** Cap on attempts in flight to one endpoint, so a slow endpoint only slows itself. */
  maxInFlightPerEndpoint: number;
  logLevel: string;
  /** `fsync`: acknowledged writes survive a power cut; `process`: they survive `kill -9`. */
  durability: "fsync" | "process";
  /** Events older than this are pruned (with their deliveries and attempts) once finished. */
  retentionMs: number;
  /** When an endpoint is marked failing, warned about, and disabled. */
  ladder: LadderPolicy;
  /** When an endpoint's circuit opens, and how long it stays open. */
  breaker: BreakerPolicy;
  /** Refuse events whose type is not in the catalog or whose data.object does not fit its schema. */
  strictEventTypes: boolean;
}

export const NODE_ROLES = ["all", "api", "worker"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const DEFAULTS = {
  port: 8080,
  host: "127.0.0.1",
  database: "./hookline.db",
  role: "all",
  // The Standard Webhooks recommendation: 8 retries over about two days (51.6 h).
  retrySchedule: "5s,5m,30m,2h,5h,10h,10h,24h",
  deliveryTimeout: "15s",
  maxPayloadBytes: 256 * 1024,
  maxBatchEvents: 1000,
  maxBatchBytes: 1024 * 1024,
  maxInFlight: 256,
  maxInFlightPerEndpoint: 32,
  maxEndpointsPerTenant: 1000,
  // Per tenant key: generous for an integration, a ceiling for a runaway loop. The root key is
  // the operator's own and unlimited unless set (the delivery benchmark ingests 2,600 events/s).
  apiRateLimit: 100,
  rootApiRateLimit: 0,
  logLevel: "info",
  durability: "fsync",
  // Ten times the retry schedule: a month to inspect, retry or recover a delivery.
  retention: "30d",
} as const;
