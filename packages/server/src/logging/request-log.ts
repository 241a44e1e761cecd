import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DEFAULT_TENANT } from "../api/context.ts";

/** Which log field an id belongs in, by its prefix. */
const FIELD_BY_PREFIX: readonly (readonly [string, string])[] = [
  ["evt_", "event_id"],
  ["we_", "endpoint_id"],
  ["dlv_", "delivery_id"],
];
/** Polled every second by load balancers: their lines are debug, not info. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);
/** A created object's answer starts with its id (Stripe's field order, ingest/create-event.ts). */
const CREATED_ID = /^\{"id":"([a-z]+_[0-9A-Za-z]{1,64})"/;

const fieldOf = (id: unknown) =>
  typeof id === "string"
    ? FIELD_BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1]
    : undefined;

/**
 * One JSON line per API request, when it completes (Fastify's own two lines are turned off in
 * app.ts), naming the `tenant` and the event, endpoint or delivery the request is about: from
 * the path (`/v1/deliveries/dlv_…`), the filters (`?endpoint=we_…`), or, for a create, the id
 * of what it created. The fields are bound on the request's logger as soon as they are known,
 * so an error logged while serving the request carries them too.
 */
export function requestLogging(
  app: FastifyInstance,
  options: { isPublic: (path: string) => boolean },
): void {
  app.addHook("onRequest", async (request, reply) => {
    const fields: Record<string, string> = {};
    // Past authentication (an earlier hook), a non-public request acts for a tenant; one for now.
    if (!options.isPublic(pathOf(request))) fields.tenant = DEFAULT_TENANT;
    const params = request.params as Record<string, unknown> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    for (const id of [params?.id, query?.event, query?.endpoint]) {
      const field = fieldOf(id);
      if (field !== undefined) fields[field] = id as string;
    }
    if (Object.keys(fields).length > 0) bind(request, reply, fields);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "POST" || reply.statusCode >= 300) return payload;
    if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return payload;
    const head = (typeof payload === "string" ? payload : payload.toString("latin1", 0, 100)).slice(
      0,
      100,
    );
    const id = CREATED_ID.exec(head)?.[1];
    const field = fieldOf(id);
    // Only a create at a collection path: a path with an id has bound that id already.
    if (field !== undefined && (request.params as { id?: string } | undefined)?.id === undefined) {
      bind(request, reply, { [field]: id as string });
    }
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url ?? null,
      status_code: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (PROBES.has(pathOf(request))) reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  });
}

function bind(request: FastifyRequest, reply: FastifyReply, fields: Record<string, string>) {
  const child = reply.log.child(fields);
  request.log = child;
  reply.log = child;
}

const pathOf = (request: FastifyRequest) => request.url.split("?", 1)[0]!;
