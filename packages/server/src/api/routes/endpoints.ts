import { generateSecret } from "@hookline/webhooks";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { subscriptionWarnings } from "../../catalog/warnings.ts";
import { HEALTHY, HealthTransition } from "../../domain/health-ladder.ts";
import { mergeCustomHeaders } from "../../endpoint-options/custom-headers.ts";
import { HEALTH_WINDOW_ATTEMPTS, HEALTH_WINDOW_MS, healthReport } from "../../health/report.ts";
import { IdPrefix, isId, newId } from "../../ids.ts";
import { requestHash } from "../../ingest/prepare-event.ts";
import type { EndpointRow } from "../../store/types.ts";
import { checkTlsClientInput } from "../client-certificate-input.ts";
import type { AppContext } from "../context.ts";
import {
  checkAuth,
  checkEnabledEvents,
  checkEndpointUrl,
  checkFilter,
  checkHeaders,
  secretGraceMs,
} from "../endpoint-input.ts";
import { ApiError, ErrorType, idempotencyConflict, invalidParam, notFound } from "../errors.ts";
import { idempotencyKey } from "../idempotency-key.ts";
import { findOr404 } from "../lookup.ts";
import {
  defaultEmptyBody,
  errorResponses,
  IdParams,
  ListQuery,
  NoParams,
  pageOptions,
} from "../schemas/common.ts";
import {
  CreateEndpointBody,
  EndpointSchema,
  RecoverBody,
  RotateSecretBody,
  UpdateEndpointBody,
} from "../schemas/endpoint.ts";
import {
  DeletedEndpointSchema,
  EndpointHealthReportSchema,
  EndpointListSchema,
  EndpointRecoverySchema,
} from "../schemas/responses.ts";
import { endpointObject, listObject } from "../serialize.ts";

const SECRET = /^whsec_[A-Za-z0-9+/=]{16,200}$/;
const ListEndpointsQuery = Type.Object(ListQuery, { additionalProperties: false });

export function endpointRoutes(app: FastifyInstance, ctx: AppContext): void {
  const load = (tenant: string, id: string) =>
    findOr404("webhook_endpoint", IdPrefix.endpoint, id, (found) =>
      ctx.store.getEndpoint(tenant, found),
    );

  app.post<{ Body: CreateEndpointBody }>(
    "/v1/webhook_endpoints",
    {
      schema: {
        description: "Create a webhook endpoint; the response holds its signing secret.",
        body: CreateEndpointBody,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const body = request.body;
      if (body.secret !== undefined && !SECRET.test(body.secret)) {
        throw invalidParam(
          "secret",
          "Invalid secret: it must look like whsec_ followed by at least 16 base64 characters.",
        );
      }
      // Checked at create against the cached list: concurrent creates may pass it by a few.
      const existing = (await ctx.endpoints.ofTenant(tenant)).length;
      if (existing >= ctx.config.maxEndpointsPerTenant) {
        throw new ApiError(
          400,
          ErrorType.invalidRequest,
          "endpoint_limit_reached",
          `This tenant has ${existing} webhook endpoints, the most this server allows (HOOKLINE_MAX_ENDPOINTS_PER_TENANT): delete one first.`,
        );
      }
      const now = ctx.clock();
      const tlsClient = checkTlsClientInput(body, now);
      const endpoint: EndpointRow = {
        id: newId(IdPrefix.endpoint),
        tenantId: tenant,
        url: checkEndpointUrl(body.url, { httpsOnly: ctx.config.httpsOnly }),
        description: body.description ?? null,
        enabledEvents: checkEnabledEvents(body.enabled_events),
        metadata: body.metadata ?? {},
        signatureSchemes: body.signature_schemes ?? "both",
        status: "enabled",
        disabledReason: null,
        secret: body.secret ?? generateSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        rateLimit: body.rate_limit ?? null,
        ordering: body.ordering ?? "none",
        orderingOnExhausted: body.ordering_on_exhausted ?? "skip",
        headers: checkHeaders(body.headers ?? {}),
        filter: body.filter == null ? null : checkFilter(body.filter),
        auth: checkAuth(body.auth, { httpsOnly: ctx.config.httpsOnly }),
        tlsClientCert: tlsClient?.cert ?? null,
        tlsClientKey: tlsClient?.key ?? null,
        health: HEALTHY,
        createdAt: now,
        updatedAt: now,
      };
      const key = idempotencyKey(request.headers);
      const result = await ctx.store.createEndpoint(
        endpoint,
        key === undefined
          ? undefined
          : {
              tenantId: tenant,
              key,
              operation: "webhook_endpoints.create",
              requestHash: requestHash(body),
            },
      );
      if (result.kind === "conflict") throw idempotencyConflict(key!);
      ctx.endpoints.invalidate(tenant);
      return endpointObject(result.endpoint, {
        withSecret: true,
        withHeaderValues: true,
        warnings: subscriptionWarnings(result.endpoint.enabledEvents),
      });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/webhook_endpoints/:id",
    {
      schema: {
        description: "Retrieve a webhook endpoint.",
        params: IdParams,
        querystring: NoParams,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => endpointObject(await load(request.tenantId, request.params.id)),
  );

  app.get<{ Querystring: Static<typeof ListEndpointsQuery> }>(
    "/v1/webhook_endpoints",
    {
      schema: {
        description: "List webhook endpoints, newest first.",
        querystring: ListEndpointsQuery,
        response: { 200: EndpointListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const q = request.query;
      const page = await ctx.store.listEndpoints(tenant, pageOptions(q));
      return listObject(
        "/v1/webhook_endpoints",
        page.data.map((e) => endpointObject(e)),
        page.hasMore,
      );
    },
  );

  const update = async (tenant: string, id: string, body: UpdateEndpointBody) => {
    const endpoint = await load(tenant, id);
    const next: EndpointRow = { ...endpoint, updatedAt: ctx.clock() };
    if (body.url !== undefined)
      next.url = checkEndpointUrl(body.url, { httpsOnly: ctx.config.httpsOnly });
    if (body.enabled_events !== undefined)
      next.enabledEvents = checkEnabledEvents(body.enabled_events);
    if (body.description !== undefined) next.description = body.description;
    if (body.metadata !== undefined) next.metadata = body.metadata;
    if (body.signature_schemes !== undefined) next.signatureSchemes = body.signature_schemes;
    if (body.rate_limit !== undefined) next.rateLimit = body.rate_limit;
    // Applies to deliveries created from now on; those created before keep what they have.
    if (body.ordering !== undefined) next.ordering = body.ordering;
    if (body.ordering_on_exhausted !== undefined) {
      next.orderingOnExhausted = body.ordering_on_exhausted;
    }
    if (body.headers !== undefined) {
      next.headers = checkHeaders(mergeCustomHeaders(endpoint.headers, body.headers));
    }
    if (body.auth !== undefined) {
      next.auth = checkAuth(body.auth, { httpsOnly: ctx.config.httpsOnly });
    }
    const tlsClient = checkTlsClientInput(body, next.updatedAt);
    if (tlsClient !== undefined) {
      next.tlsClientCert = tlsClient?.cert ?? null;
      next.tlsClientKey = tlsClient?.key ?? null;
    }
    if (body.filter !== undefined) {
      next.filter = body.filter === null ? null : checkFilter(body.filter);
    }
    if (body.disabled === true && endpoint.status === "enabled") {
      next.status = "disabled";
      next.disabledReason = "disabled through the API";
    } else if (body.disabled === false && endpoint.status === "disabled") {
      next.status = "enabled";
      next.disabledReason = null;
    }
    const now = ctx.clock();
    const { previousStatus } = await ctx.store.updateEndpoint(next, now);
    ctx.endpoints.invalidate(tenant);
    // From hold to skip releases the held keys at once: the claim reads the setting.
    if (endpoint.orderingOnExhausted === "hold" && next.orderingOnExhausted === "skip") {
      ctx.handoff.wake([next.id]);
    }
    if (previousStatus !== next.status) {
      const enabled = next.status === "enabled";
      // Re-enabling starts the ladder over (the store reset it) and is worth telling operators.
      if (enabled) {
        ctx.handoff.resetEndpoint(next.id);
        ctx.handoff.wake([next.id]);
      }
      ctx.operational.endpointsChanged([
        {
          tenantId: tenant,
          endpointId: next.id,
          transition: enabled ? HealthTransition.recovered : HealthTransition.disabled,
          reason: enabled ? "re-enabled through the API" : "disabled through the API",
          at: now,
        },
      ]);
    }
    const stored = await ctx.store.getEndpoint(tenant, next.id);
    const warnings =
      body.enabled_events === undefined ? [] : subscriptionWarnings(next.enabledEvents);
    return endpointObject(stored ?? next, { warnings });
  };
  const updateSchema = {
    description:
      "Update a webhook endpoint (url, enabled_events, description, metadata, signature_schemes, rate_limit, ordering, ordering_on_exhausted, headers, filter, auth, disabled).",
    params: IdParams,
    body: UpdateEndpointBody,
    response: { 200: EndpointSchema, ...errorResponses },
  };
  app.post<{ Params: Static<typeof IdParams>; Body: UpdateEndpointBody }>(
    "/v1/webhook_endpoints/:id",
    { schema: updateSchema },
    async (request) => update(request.tenantId, request.params.id, request.body),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: UpdateEndpointBody }>(
    "/v1/webhook_endpoints/:id",
    { schema: updateSchema },
    async (request) => update(request.tenantId, request.params.id, request.body),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/v1/webhook_endpoints/:id",
    {
      schema: {
        description: "Delete a webhook endpoint; its undelivered deliveries are cancelled.",
        params: IdParams,
        body: NoParams,
        response: { 200: DeletedEndpointSchema, ...errorResponses },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const id = request.params.id;
      const deleted =
        isId(id, IdPrefix.endpoint) && (await ctx.store.deleteEndpoint(tenant, id, ctx.clock()));
      ctx.endpoints.invalidate(tenant);
      if (!deleted) throw notFound("webhook_endpoint", id);
      return { id, object: "webhook_endpoint", deleted: true };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateSecretBody> }>(
    "/v1/webhook_endpoints/:id/rotate_secret",
    {
      schema: {
        description:
          "Replace the signing secret; the old one keeps signing beside it until expires_in has passed.",
        params: IdParams,
        body: RotateSecretBody,
        response: { 200: EndpointSchema, ...errorResponses },
      },
      // The body is optional: no body means the defaults.
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const graceMs = secretGraceMs(request.body?.expires_in);
      const endpoint = await load(tenant, request.params.id);
      const now = ctx.clock();
      const next: EndpointRow = {
        ...endpoint,
        secret: generateSecret(),
        previousSecret: graceMs > 0 ? endpoint.secret : null,
        previousSecretExpiresAt: graceMs > 0 ? now + graceMs : null,
        updatedAt: now,
      };
      await ctx.store.updateEndpoint(next, now);
      ctx.endpoints.invalidate(tenant);
      return endpointObject(next, { withSecret: true });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/webhook_endpoints/:id/health",
    {
      schema: {
        description:
          "An endpoint's health: its place on the failure ladder, success rate and latency of its recent attempts, and its open deliveries.",
        params: IdParams,
        querystring: NoParams,
        response: { 200: EndpointHealthReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const endpoint = await load(tenant, request.params.id);
      const since = ctx.clock() - HEALTH_WINDOW_MS;
      const activity = await ctx.store.endpointActivity(endpoint.id, since, HEALTH_WINDOW_ATTEMPTS);
      return healthReport(endpoint, activity, since, ctx.handoff.circuitOf?.(endpoint.id));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: RecoverBody }>(
    "/v1/webhook_endpoints/:id/recover",
    {
      schema: {
        description:
          "Re-queue the endpoint's failed and skipped deliveries created between since and until, oldest first. Idempotent: what is already queued is not queued twice.",
        params: IdParams,
        body: RecoverBody,
        response: { 200: EndpointRecoverySchema, ...errorResponses },
      },
      // No body is answered like an empty one: "since" is missing.
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const endpoint = await load(tenant, request.params.id);
      const now = ctx.clock();
      const since = request.body.since * 1000;
      const until = request.body.until === undefined ? now : request.body.until * 1000 + 999;
      if (request.body.until === undefined && since > now) {
        throw invalidParam("since", "Invalid since: it is in the future.");
      }
      if (until < since) {
        throw invalidParam("until", "Invalid until: it must not be earlier than since.");
      }
      if (endpoint.status === "disabled") throw endpointDisabled(endpoint.id);
      const requeued = await ctx.store.recoverDeliveries({
        tenantId: tenant,
        endpointId: endpoint.id,
        since,
        until,
        now,
      });
      // The operator says the endpoint is fixed: this node's circuit need not make them wait.
      ctx.handoff.resetEndpoint(endpoint.id);
      if (requeued > 0) ctx.handoff.wake([endpoint.id]);
      return {
        object: "webhook_endpoint_recovery" as const,
        endpoint: endpoint.id,
        since: Math.floor(since / 1000),
        until: Math.floor(until / 1000),
        requeued,
      };
    },
  );
}

/** Deliveries queued to a disabled endpoint would only be skipped again. */
export function endpointDisabled(id: string, param?: string): ApiError {
  return new ApiError(
    400,
    ErrorType.invalidRequest,
    "endpoint_disabled",
    `The webhook endpoint '${id}' is disabled: enable it first (disabled: false), then send again.`,
    param,
  );
}
