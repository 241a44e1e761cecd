import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";

/** One route as it was registered: what the OpenAPI document is generated from. */
export interface RegisteredRoute {
  method: string;
  /** Fastify's form, `/v1/events/:id`. */
  url: string;
  schema: FastifySchema | undefined;
}

/**
 * Records every route registered on `app` from now on, with the schema it validates with.
 * onRoute hooks run synchronously at registration, so this must be called before the routes
 * are added. HEAD routes are Fastify's automatic twins of GET routes and are left out.
 */
export function recordRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook("onRoute", (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD") continue;
      routes.push({ method, url: route.url, schema: route.schema as FastifySchema | undefined });
    }
  });
  return routes;
}
