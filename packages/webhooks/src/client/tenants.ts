import type { ListParams, ListPromise } from "./list.ts";
import { type List, listPromise } from "./list.ts";
import type { Call, TransportOptions } from "./transport.ts";
import { send } from "./transport.ts";
import type {
  ApiKey,
  CreateTenantParams,
  DeletedTenant,
  PortalLink,
  RequestOptions,
  Tenant,
} from "./types.ts";

const path = (id: string) => `v1/tenants/${encodeURIComponent(id)}`;

/** `/v1/tenants` (root key only): each tenant has its own endpoints, events and keys. */
export function tenantsApi(transport: TransportOptions) {
  const call = <T>(c: Call) => send<T>(transport, c);
  return {
    create: (params: CreateTenantParams, options: RequestOptions = {}) =>
      call<Tenant>({
        method: "POST",
        path: "v1/tenants",
        body: params,
        retry: "always",
        create: { idempotencyKey: options.idempotencyKey },
      }),
    retrieve: (id: string) => call<Tenant>({ method: "GET", path: path(id), retry: "always" }),
    /** Newest first; `for await` walks every page. */
    list: (params: ListParams = {}): ListPromise<Tenant> =>
      listPromise(params, (query) =>
        call<List<Tenant>>({
          method: "GET",
          path: "v1/tenants",
          query: { ...query },
          retry: "always",
        }),
      ),
    update: (id: string, params: { name?: string; metadata?: Record<string, string> }) =>
      call<Tenant>({ method: "POST", path: path(id), body: params, retry: "always" }),
    /** Only a tenant without endpoints; its keys stop working. */
    delete: (id: string) =>
      call<DeletedTenant>({ method: "DELETE", path: path(id), retry: "unprocessed" }),
    /** A signed, expiring link to the dashboard scoped to this tenant (default 1 h, at most 7 d). */
    createPortalLink: (id: string, params: { expires_in?: number | string } = {}) =>
      call<PortalLink>({
        method: "POST",
        path: `${path(id)}/portal_links`,
        body: params,
        retry: "unprocessed",
      }),
  };
}

/** `/v1/api_keys` (root key only): keys scoped to one tenant, shown once, revocable. */
export function apiKeysApi(transport: TransportOptions) {
  const call = <T>(c: Call) => send<T>(transport, c);
  return {
    /** The answer's `key` is the only time the key is shown. Not retried: a retry makes two. */
    create: (params: { tenant: string; name?: string }) =>
      call<ApiKey>({ method: "POST", path: "v1/api_keys", body: params, retry: "unprocessed" }),
    list: (params: ListParams & { tenant?: string } = {}): ListPromise<ApiKey> =>
      listPromise(params, (query) =>
        call<List<ApiKey>>({
          method: "GET",
          path: "v1/api_keys",
          query: { ...query },
          retry: "always",
        }),
      ),
    /** Stops the key at once. */
    revoke: (id: string) =>
      call<ApiKey>({
        method: "DELETE",
        path: `v1/api_keys/${encodeURIComponent(id)}`,
        retry: "always",
      }),
  };
}
