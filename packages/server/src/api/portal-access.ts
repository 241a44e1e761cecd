import { ApiError, ErrorType } from "./errors.ts";

/**
 * What a portal link may do, by method and route pattern: everything a customer needs to look
 * after their own endpoints (read all of their tenant, add and edit endpoints, disable them,
 * rotate a secret, retry and recover deliveries), nothing that destroys or speaks for the
 * platform. Refused on purpose: sending events (`POST /v1/events`: events come from the platform;
 * a customer's would be signed like the platform's), deleting an endpoint (a forwarded link must
 * not erase history; disabling is reversible), listen sessions (a developer tool), and every
 * root-only route. A route missing here is refused, so a new route is closed until listed.
 */
const ALLOWED = new Set([
  "GET /v1/portal_session",
  "GET /v1/webhook_endpoints",
  "GET /v1/webhook_endpoints/:id",
  "GET /v1/webhook_endpoints/:id/health",
  "GET /v1/events",
  "GET /v1/events/:id",
  "GET /v1/deliveries",
  "GET /v1/deliveries/:id",
  "GET /v1/event_types",
  "GET /v1/event_types/:type",
  "GET /v1/stats",
  "GET /v1/stream",
  "POST /v1/webhook_endpoints",
  "POST /v1/webhook_endpoints/:id",
  "PATCH /v1/webhook_endpoints/:id",
  "POST /v1/webhook_endpoints/:id/rotate_secret",
  "POST /v1/webhook_endpoints/:id/recover",
  "POST /v1/webhook_endpoints/:id/test",
  "POST /v1/webhook_endpoints/filter_test",
  "POST /v1/deliveries/:id/retry",
  "POST /v1/events/:id/retry",
]);

/** Fastify answers HEAD with the GET route: allowed when GET is. */
const methodOf = (method: string) => (method === "HEAD" ? "GET" : method);

/** True when a portal link may call `method` on the route registered as `route`. */
export const portalMay = (method: string, route: string) =>
  ALLOWED.has(`${methodOf(method)} ${route}`);

/** Refuses, with 403, what a portal link may not do; `route` undefined: no route, 404 follows. */
export function checkPortalAccess(method: string, route: string | undefined): void {
  if (route === undefined || portalMay(method, route)) return;
  throw new ApiError(
    403,
    ErrorType.permission,
    "permission_denied",
    `A portal link cannot ${method} ${route}: it can read its tenant's endpoints, events and deliveries, add, edit and test endpoints, rotate secrets, and retry or recover deliveries.`,
  );
}
