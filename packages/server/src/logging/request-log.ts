import type { FastifyInstance, FastifyRequest } from "fastify";
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
 * of what it created. The fields are kept with the request as soon as they are known, and an
 * error logged while serving it carries them too (`logFieldsOf`). They are not bound with
 * `log.child`: a pino child serializes its bindings when it is made, and two per request were a
 * few percent of ingest's CPU, for lines that mostly are never written.
 */
export function requestLogging(
  app: FastifyInstance,
  options: { isPublic: (path: string) => boolean },
): void {
  app.addHook("onRequest", async (request) => {
    const fields: Record<string, string> = {};
    // Past authentication (an earlier hook), a non-public request acts for a tenant; one for now.
    if (!options.isPublic(pathOf(request))) fields.tenant = DEFAULT_TENANT;
    const params = request.params as Record<string, unknown> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    for (const id of [params?.id, query?.event, query?.endpoint]) {
      const field = fieldOf(id);
      if (field !== undefined) fields[field] = id as string;
    }
    if (Object.keys(fields).length > 0) bind(request, fields);
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
      bind(request, { [field]: id as string });
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
    const fields = { ...logFieldsOf(request), ...line };
    if (PROBES.has(pathOf(request))) reply.log.debug(fields, "request completed");
    else reply.log.info(fields, "request completed");
  });
}

const FIELDS = new WeakMap<FastifyRequest, Record<string, string>>();

/** The ids a request is about (tenant, event, endpoint, delivery), for any line logged about it. */
export function logFieldsOf(request: FastifyRequest): Record<string, string> {
  return FIELDS.get(request) ?? {};
}

function bind(request: FastifyRequest, fields: Record<string, string>) {
  FIELDS.set(request, { ...FIELDS.get(request), ...fields });
}

const pathOf = (request: FastifyRequest) => request.url.split("?", 1)[0]!;
