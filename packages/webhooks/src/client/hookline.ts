import { deliveriesApi } from "./deliveries.ts";
import { endpointsApi } from "./endpoints.ts";
import { eventsApi } from "./events.ts";
import { apiKeysApi, tenantsApi } from "./tenants.ts";
import type { TransportOptions } from "./transport.ts";

export interface HooklineOptions {
  /** Where `hookline serve` listens, e.g. `http://localhost:8080`. */
  url: string;
  /** The API key (HOOKLINE_API_KEY, or the key printed on first start). */
  apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** Retries after a 429, a 5xx or no answer; default 2. Creates carry an Idempotency-Key. */
  maxRetries?: number;
  /** Per request, in ms; default 30 s. */
  timeoutMs?: number;
  /** With the root key: the tenant to act on (sent as `Hookline-Tenant`); default the key's own. */
  tenant?: string;
}

/**
 * A typed client for the Hookline API, on `fetch` alone (no dependencies; Node 20+, browsers,
 * edge runtimes). Lists paginate themselves with `for await`; calls are retried with backoff on
 * 429, 5xx and network errors, honouring `Retry-After`; creates carry an `Idempotency-Key` so a
 * retry never creates twice; error answers throw {@link HooklineApiError}.
 *
 * @example
 * ```ts
 * import { Hookline } from "@hookline/webhooks/client";
 *
 * const hookline = new Hookline({ url: "http://localhost:8080", apiKey: process.env.HOOKLINE_API_KEY! });
 * const endpoint = await hookline.endpoints.create({
 *   url: "https://example.com/webhooks",
 *   enabled_events: ["invoice.*"],
 * });
 * await hookline.events.create({ type: "invoice.paid", data: { object: { id: "in_1" } } });
 * for await (const delivery of hookline.deliveries.list({ endpoint: endpoint.id })) {
 *   console.log(delivery.status);
 * }
 * ```
 */
export class Hookline {
  /** `/v1/webhook_endpoints`. */
  readonly endpoints: ReturnType<typeof endpointsApi>;
  /** `/v1/events`. */
  readonly events: ReturnType<typeof eventsApi>;
  /** `/v1/deliveries`. */
  readonly deliveries: ReturnType<typeof deliveriesApi>;
  /** `/v1/tenants` (root key only). */
  readonly tenants: ReturnType<typeof tenantsApi>;
  /** `/v1/api_keys` (root key only). */
  readonly apiKeys: ReturnType<typeof apiKeysApi>;

  constructor(options: HooklineOptions) {
    if (!/^https?:\/\//.test(options.url)) {
      throw new TypeError(`Hookline: url must be an http(s) URL, got '${options.url}'`);
    }
    const transport: TransportOptions = {
      url: options.url,
      apiKey: options.apiKey,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 2)),
      timeoutMs: options.timeoutMs ?? 30_000,
      tenant: options.tenant,
    };
    this.endpoints = endpointsApi(transport);
    this.events = eventsApi(transport);
    this.deliveries = deliveriesApi(transport);
    this.tenants = tenantsApi(transport);
    this.apiKeys = apiKeysApi(transport);
  }
}
