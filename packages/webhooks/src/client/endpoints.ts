import type { ListParams, ListPromise } from "./list.ts";
import { type List, listPromise } from "./list.ts";
import type { Call, TransportOptions } from "./transport.ts";
import { send } from "./transport.ts";
import type {
  CreateEndpointParams,
  DeletedWebhookEndpoint,
  EndpointHealthReport,
  EndpointRecovery,
  EndpointTest,
  FilterTest,
  PayloadFilter,
  RequestOptions,
  UpdateEndpointParams,
  WebhookEndpoint,
} from "./types.ts";

const path = (id: string) => `v1/webhook_endpoints/${encodeURIComponent(id)}`;

/** `/v1/webhook_endpoints`: the URLs events are delivered to. */
export function endpointsApi(transport: TransportOptions) {
  const call = <T>(c: Call) => send<T>(transport, c);
  return {
    /** Creates an endpoint; the answer holds its signing `secret` (the only time it is shown). */
    create: (params: CreateEndpointParams, options: RequestOptions = {}) =>
      call<WebhookEndpoint>({
        method: "POST",
        path: "v1/webhook_endpoints",
        body: params,
        retry: "always",
        create: { idempotencyKey: options.idempotencyKey },
      }),
    retrieve: (id: string) =>
      call<WebhookEndpoint>({ method: "GET", path: path(id), retry: "always" }),
    /** Newest first; `for await` walks every page. */
    list: (params: ListParams = {}): ListPromise<WebhookEndpoint> =>
      listPromise(params, (query) =>
        call<List<WebhookEndpoint>>({
          method: "GET",
          path: "v1/webhook_endpoints",
          query: { ...query },
          retry: "always",
        }),
      ),
    /** Changes what is given; `disabled: true` stops deliveries, `false` resumes them. */
    update: (id: string, params: UpdateEndpointParams) =>
      call<WebhookEndpoint>({ method: "POST", path: path(id), body: params, retry: "always" }),
    /** Deletes the endpoint; its undelivered deliveries are cancelled. */
    delete: (id: string) =>
      call<DeletedWebhookEndpoint>({ method: "DELETE", path: path(id), retry: "unprocessed" }),
    /** A new secret; the old one keeps signing for `expires_in` (seconds or `"24h"`; 0 ends it). */
    rotateSecret: (id: string, params: { expires_in?: number | string } = {}) =>
      call<WebhookEndpoint>({
        method: "POST",
        path: `${path(id)}/rotate_secret`,
        body: params,
        retry: "unprocessed",
      }),
    /** The failure ladder, success rate and latency of recent attempts, open deliveries. */
    health: (id: string) =>
      call<EndpointHealthReport>({ method: "GET", path: `${path(id)}/health`, retry: "always" }),
    /** Re-queues failed and skipped deliveries created between `since` and `until` (unix s). */
    recover: (id: string, params: { since: number; until?: number }) =>
      call<EndpointRecovery>({
        method: "POST",
        path: `${path(id)}/recover`,
        body: params,
        retry: "always",
      }),
    /**
     * Sends one example event of a catalog type (default `payment_intent.succeeded`) to this
     * endpoint alone, signed as every delivery, and answers with the attempt. Not retried: each
     * call is a request to the endpoint.
     */
    test: (id: string, params: { type?: string } = {}) =>
      call<EndpointTest>({
        method: "POST",
        path: `${path(id)}/test`,
        body: params,
        retry: "unprocessed",
      }),
    /** Whether `filter` matches `event`, evaluated as at fan-out. */
    filterTest: (params: { filter: PayloadFilter; event: Record<string, unknown> }) =>
      call<FilterTest>({
        method: "POST",
        path: "v1/webhook_endpoints/filter_test",
        body: params,
        retry: "always",
      }),
  };
}
