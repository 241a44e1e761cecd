import "./fastify-schema.ts";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from "fastify";
import { pino } from "pino";
import { IdPrefix, newId } from "../ids.ts";
import { createListenHub, type ListenHub } from "../listen/hub.ts";
import { logFieldsOf, requestLogging } from "../logging/request-log.ts";
import { countRequests, metricsRoute } from "../metrics/route.ts";
import { StoreUnavailableError, UnknownCursorError } from "../store/errors.ts";
import { authenticate } from "./auth.ts";
import type { AppContext } from "./context.ts";
import { drainRequest } from "./drain-request.ts";
import { ApiError, ErrorType, invalidParam, storeUnavailable, toErrorBody } from "./errors.ts";
import { recordRoutes } from "./openapi/route-registry.ts";
import { openApiRoutes, REFERENCE_PATH } from "./openapi/routes.ts";
import { checkPortalAccess } from "./portal-access.ts";
import { createPortalSigner } from "./portal-signer.ts";
import { createPrincipalCache, guardTenants } from "./principal-cache.ts";
import { createApiRateLimit } from "./rate-limit.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { dashboardRoutes, isDashboardPath } from "./routes/dashboard.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { endpointToolRoutes } from "./routes/endpoint-tools.ts";
import { endpointRoutes } from "./routes/endpoints.ts";
import { eventTypeRoutes } from "./routes/event-types.ts";
import { eventRoutes } from "./routes/events.ts";
import { eventBatchRoutes } from "./routes/events-batch.ts";
import { healthRoutes } from "./routes/health.ts";
import { listenRoutes } from "./routes/listen.ts";
import { outboxRoutes } from "./routes/outbox.ts";
import { portalLinkRoutes } from "./routes/portal-links.ts";
import { statsRoutes } from "./routes/stats.ts";
import { streamRoutes } from "./routes/stream.ts";
import { tenantRoutes } from "./routes/tenants.ts";
import { securityHeaders } from "./security-headers.ts";
import { decorateTenancy, resolveTenant, TENANT_HEADER } from "./tenancy.ts";
import { fromValidation } from "./validation-error.ts";
import { validatorCompiler } from "./validator.ts";

/** Paths that need no API key. */
const PUBLIC = new Set(["/healthz", "/readyz", "/metrics", "/v1/openapi.json", REFERENCE_PATH]);
const isPublic = (path: string) => PUBLIC.has(path) || isDashboardPath(path);

export function buildApp(
  context: AppContext,
  options: { logger?: FastifyBaseLogger; listen?: ListenHub } = {},
): FastifyInstance {
  const principals = createPrincipalCache({ clock: context.clock });
  const ctx: AppContext = { ...context, tenants: guardTenants(context.tenants, principals) };
  const app = Fastify({
    loggerInstance: options.logger ?? pino({ level: "silent" }),
    bodyLimit: ctx.config.maxPayloadBytes,
    genReqId: () => newId(IdPrefix.request),
    requestIdHeader: false,
    // One line per request, with the ids it concerns, from logging/request-log.ts instead.
    // Fastify's own request lines are off: request-log.ts writes one line per request, with ids.
    logController: new LogController({ disableRequestLogging: true }),
    // Bounded time for a client to send its request, so slow clients cannot hold sockets.
    requestTimeout: 30_000,
    return503OnClosing: true,
    // Errors the router raises before any handler (an id too long, bad percent-encoding) get
    // the same error shape as everything else.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .code(400)
        .send(toErrorBody(invalidParam("id", `Invalid request path: ${error.message}`)));
    },
  });
  // Only JSON bodies: a text/plain body is refused with 415 rather than half-parsed.
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (OpenAPI, the typed client's contract test); they do not
  // shape answers: a field missing from a schema must not be dropped silently from a response.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const routes = recordRoutes(app);

  if (ctx.metrics !== undefined) countRequests(app, ctx.metrics);
  decorateTenancy(app);
  const rateLimit = createApiRateLimit({
    tenantKeyRate: ctx.config.apiRateLimit,
    rootKeyRate: ctx.config.rootApiRateLimit,
    clock: ctx.clock,
  });
  const portal = createPortalSigner(ctx.store, ctx.tenants, ctx.clock);
  app.addHook("onRequest", async (request) => {
    const path = request.url.split("?", 1)[0]!;
    if (isPublic(path)) return;
    const authorization = request.headers.authorization;
    request.principal =
      principals.get(authorization) ??
      principals.remember(
        authorization,
        await authenticate(
          authorization,
          ctx.rootKeyHash,
          (hash) => ctx.tenants.findApiKey(hash),
          (token) => portal.check(token),
        ),
      );
    rateLimit(request.principal);
    // The one place that says what a portal link may do (api/portal-access.ts).
    if (request.principal.kind === "portal") {
      checkPortalAccess(request.method, request.routeOptions.url);
    }
    request.tenantId = await resolveTenant(
      request.principal,
      request.headers[TENANT_HEADER],
      ctx.tenants,
    );
  });
  requestLogging(app, { isPublic });
  app.addHook("onSend", async (request, reply) => {
    reply.header("request-id", request.id);
  });
  app.addHook("onSend", securityHeaders);

  app.setErrorHandler(async (error: FastifyError | ApiError, request, reply) => {
    const known = toApiError(error);
    if (known === undefined) {
      request.log.error(
        { ...logFieldsOf(request), err: error, url: request.url, method: request.method },
        "unhandled error",
      );
      return reply.code(500).send({
        error: {
          type: ErrorType.api,
          code: "internal_error",
          message: "An internal error occurred; it was logged with this request's id.",
        },
      });
    }
    if (known.retryAfterSeconds !== undefined) {
      reply.header("retry-after", String(known.retryAfterSeconds));
    }
    // Fastify refuses a body too large while the client still sends it (and closes after).
    if (known.status === 413) await drainRequest(request.raw);
    return reply.code(known.status).send(toErrorBody(known));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        toErrorBody(
          new ApiError(
            404,
            ErrorType.invalidRequest,
            "resource_missing",
            `Unrecognized request URL (${request.method}: ${request.url.split("?", 1)[0]}).`,
          ),
        ),
      ),
  );

  healthRoutes(app, ctx);
  endpointRoutes(app, ctx);
  endpointToolRoutes(app, ctx);
  eventRoutes(app, ctx);
  eventBatchRoutes(app, ctx);
  outboxRoutes(app, ctx);
  deliveryRoutes(app, ctx);
  tenantRoutes(app, ctx);
  portalLinkRoutes(app, ctx, portal);
  apiKeyRoutes(app, ctx);
  eventTypeRoutes(app, ctx);
  statsRoutes(app, ctx);
  streamRoutes(app, ctx);
  listenRoutes(app, ctx, options.listen ?? createListenHub());
  dashboardRoutes(app);
  if (ctx.metrics !== undefined) metricsRoute(app, ctx.metrics);
  openApiRoutes(app, routes, { isPublic });
  return app;
}

/** Maps what the routes and Fastify throw to an API error; `undefined` for the unexpected. */
function toApiError(error: FastifyError | ApiError): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreUnavailableError) return storeUnavailable(error);
  if (error instanceof UnknownCursorError)
    return invalidParam(error.param, `No such object in this list: '${error.id}'.`);
  const fastify = error as FastifyError;
  if (fastify.validation) return fromValidation(fastify.validation, fastify.validationContext);
  switch (fastify.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(
        413,
        ErrorType.invalidRequest,
        "payload_too_large",
        "The request body is larger than the server accepts (256 KB by default; 1 MB for /v1/events/batch).",
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(
        415,
        ErrorType.invalidRequest,
        "unsupported_media_type",
        "Send the request body as JSON with 'Content-Type: application/json'.",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(
        400,
        ErrorType.invalidRequest,
        "body_invalid",
        "The body is empty but Content-Type says JSON: send a JSON object, or no Content-Type.",
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError(
        400,
        ErrorType.invalidRequest,
        "body_invalid",
        "The request body is not valid JSON.",
      );
  }
  if (error instanceof SyntaxError && fastify.statusCode === 400) {
    return new ApiError(
      400,
      ErrorType.invalidRequest,
      "body_invalid",
      `The request body is not valid JSON: ${error.message}`,
    );
  }
  if (
    typeof fastify.statusCode === "number" &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    return new ApiError(
      fastify.statusCode,
      ErrorType.invalidRequest,
      "request_invalid",
      fastify.message,
    );
  }
  return undefined;
}
