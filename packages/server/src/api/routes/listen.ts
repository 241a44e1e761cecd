import type { ServerResponse } from "node:http";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { HealthTransition } from "../../domain/health-ladder.ts";
import { IdPrefix } from "../../ids.ts";
import type { ListenHub, ListenStream } from "../../listen/hub.ts";
import { openSession } from "../../listen/sessions.ts";
import { DEFAULT_LISTEN_TIMEOUT_MS, maxListenTimeoutMs } from "../../listen/timeout.ts";
import { isListenUrl, SESSION_NAME, sessionName } from "../../listen/url.ts";
import { logFieldsOf } from "../../logging/request-log.ts";
import type { AppContext } from "../context.ts";
import { checkEnabledEvents } from "../endpoint-input.ts";
import { ApiError, ErrorType, invalidParam, notFound } from "../errors.ts";
import { findOr404 } from "../lookup.ts";
import { errorResponses, IdParams } from "../schemas/common.ts";
import { EndpointSchema } from "../schemas/endpoint.ts";
import {
  CreateListenSessionBody,
  ListenResultBody,
  ListenResultSchema,
  ListenStreamQuery,
} from "../schemas/listen.ts";
import { endpointObject } from "../serialize.ts";
import { endpointDisabled } from "./endpoints.ts";

/** Comments every 15 s keep proxies from closing a quiet stream and reveal a dead listener. */
const HEARTBEAT_MS = 15_000;

/**
 * `hookline listen`: a listen session is an endpoint whose deliveries go down a listener's
 * event stream instead of over HTTP (listen/hub.ts), so a laptop nobody can reach still
 * receives them. Three routes: open the session, stream its deliveries, report each answer.
 */
export function listenRoutes(app: FastifyInstance, ctx: AppContext, hub: ListenHub): void {
  const loadSession = async (tenant: string, id: string) => {
    const endpoint = await findOr404("listen_session", IdPrefix.endpoint, id, (found) =>
      ctx.store.getEndpoint(tenant, found),
    );
    if (!isListenUrl(endpoint.url)) throw notFound("listen_session", id);
    hub.register(endpoint.id);
    return endpoint;
  };
  const open = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
    hub.closeAll();
  });

  app.post<{ Body: CreateListenSessionBody }>(
    "/v1/listen_sessions",
    {
      schema: {
        description:
          "Open the listen session of this name, creating it the first time: an endpoint that `hookline listen` receives through a stream. The response holds its signing secret; the same name gives the same endpoint, secret and backlog.",
        body: CreateListenSessionBody,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const name = request.body.name ?? "default";
      if (!SESSION_NAME.test(name)) {
        throw invalidParam(
          "name",
          "Invalid name: use at most 64 letters, digits, '.', '_' and '-', starting with a letter or digit.",
        );
      }
      const enabledEvents = checkEnabledEvents(request.body.enabled_events ?? ["*"]);
      const now = ctx.clock();
      const opened = await openSession(ctx.store, { tenantId: tenant, name, enabledEvents, now });
      ctx.endpoints.invalidate(tenant);
      hub.register(opened.endpoint.id);
      if (opened.reenabled) {
        ctx.operational.endpointsChanged([
          {
            tenantId: tenant,
            endpointId: opened.endpoint.id,
            transition: HealthTransition.recovered,
            reason: "re-enabled by hookline listen",
            at: now,
          },
        ]);
      }
      return endpointObject(opened.endpoint, { withSecret: true });
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: ListenStreamQuery }>(
    "/v1/listen_sessions/:id/stream",
    {
      schema: {
        description:
          "Server-sent events for one listener: `ready` once connected, then one `delivery` (attempt token, event id, signed headers, body) at a time, oldest first; `replaced` when another listener takes the session over. Connecting makes the session's waiting deliveries due now.",
        params: IdParams,
        querystring: ListenStreamQuery,
        response: {
          200: {
            description: "A text/event-stream that stays open.",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      // An API node runs no dispatcher: a stream opened here would stay silent for good.
      if (ctx.config.role === "api") throw listenUnavailable();
      const endpoint = await loadSession(request.tenantId, request.params.id);
      if (endpoint.status === "disabled") throw endpointDisabled(endpoint.id);
      const timeoutMs = request.query.timeout_ms ?? DEFAULT_LISTEN_TIMEOUT_MS;
      const max = maxListenTimeoutMs(ctx.handoff.leaseMs);
      if (timeoutMs > max) {
        throw invalidParam(
          "timeout_ms",
          `Invalid timeout_ms: this server allows at most ${max} (half its lease, HOOKLINE_LEASE, less 10 s).`,
        );
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
        "request-id": request.id,
      });
      open.add(res);
      const stream: ListenStream = {
        send: (event, data) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
        end: () => void res.end(),
      };
      const name = sessionName(endpoint.url);
      const session = { endpointId: endpoint.id, url: endpoint.url, name, timeoutMs };
      const detach = hub.connect(session, stream);
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      res.on("close", () => {
        clearInterval(heartbeat);
        open.delete(res);
        detach();
      });
      stream.send("ready", { session: endpoint.id, name, timeout_ms: timeoutMs });
      try {
        // What waited for a listener, retries included, goes now and in creation order.
        await ctx.store.resumeEndpoint(endpoint.id, ctx.clock());
        ctx.handoff.resetEndpoint(endpoint.id);
        ctx.handoff.wake();
      } catch (error) {
        // Not resumed: the deliveries still come, at their next due time.
        request.log.error(
          { ...logFieldsOf(request), err: error, endpoint_id: endpoint.id },
          "resuming a listen session failed",
        );
      }
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: ListenResultBody }>(
    "/v1/listen_sessions/:id/results",
    {
      schema: {
        description:
          "Report what the local app answered to one delivery of the stream (or why it did not), so that the attempt is recorded like any other.",
        params: IdParams,
        body: ListenResultBody,
        response: { 200: ListenResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const endpoint = await loadSession(request.tenantId, request.params.id);
      const body = request.body;
      if ((body.status === undefined) === (body.error === undefined)) {
        throw invalidParam(
          body.status === undefined ? "status" : "error",
          "Give either status (the local app answered) or error (it did not), not both or neither.",
        );
      }
      const reported = hub.report(endpoint.id, {
        attempt: body.attempt,
        status: body.status,
        body: body.body,
        durationMs: body.duration_ms,
        error: body.error,
      });
      if (!reported) {
        throw new ApiError(
          404,
          ErrorType.invalidRequest,
          "resource_missing",
          `No attempt '${body.attempt}' waits for a report: it timed out, its listener disconnected, or it was reported already.`,
          "attempt",
        );
      }
      const status = body.status ?? 0;
      return {
        object: "listen_result" as const,
        attempt: body.attempt,
        delivered: status >= 200 && status < 300,
      };
    },
  );
}

/**
 * 421 Misdirected Request: this node cannot answer it, another can. Not a 5xx, which
 * `hookline listen` would retry against the same node forever; it stops and prints this.
 */
function listenUnavailable(): ApiError {
  return new ApiError(
    421,
    ErrorType.invalidRequest,
    "listen_unavailable",
    "This node runs with --role api and sends no deliveries, so it cannot feed a listen stream: point hookline listen at a node started with --role all.",
  );
}
