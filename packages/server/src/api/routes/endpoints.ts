import { generateSecret } from "@hookline/webhooks";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdPrefix, isId, newId } from "../../ids.ts";
import { requestHash } from "../../ingest/create-event.ts";
import type { EndpointRow } from "../../store/types.ts";
import type { AppContext } from "../context.ts";
import { DEFAULT_TENANT } from "../context.ts";
import { checkEnabledEvents, checkEndpointUrl, secretGraceMs } from "../endpoint-input.ts";
import { idempotencyConflict, invalidParam, notFound } from "../errors.ts";
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
import { CreateEndpointBody, RotateSecretBody, UpdateEndpointBody } from "../schemas/endpoint.ts";
import { endpointObject, listObject } from "../serialize.ts";

const SECRET = /^whsec_[A-Za-z0-9+/=]{16,200}$/;
const ListEndpointsQuery = Type.Object(ListQuery, { additionalProperties: false });

export function endpointRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tenant = DEFAULT_TENANT;
  const load = (id: string) =>
    findOr404("webhook_endpoint", IdPrefix.endpoint, id, (found) =>
      ctx.store.getEndpoint(tenant, found),
    );

  app.post<{ Body: CreateEndpointBody }>(
    "/v1/webhook_endpoints",
    {
      schema: {
        description: "Create a webhook endpoint; the response holds its signing secret.",
        body: CreateEndpointBody,
        response: errorResponses,
      },
    },
    async (request) => {
      const body = request.body;
      if (body.secret !== undefined && !SECRET.test(body.secret)) {
        throw invalidParam(
          "secret",
          "Invalid secret: it must look like whsec_ followed by at least 16 base64 characters.",
        );
      }
      const now = ctx.clock();
      const endpoint: EndpointRow = {
        id: newId(IdPrefix.endpoint),
        tenantId: tenant,
        url: checkEndpointUrl(body.url),
        description: body.description ?? null,
        enabledEvents: checkEnabledEvents(body.enabled_events),
        metadata: body.metadata ?? {},
        signatureSchemes: body.signature_schemes ?? "both",
        status: "enabled",
        disabledReason: null,
        secret: body.secret ?? generateSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
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
      return endpointObject(result.endpoint, { withSecret: true });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/webhook_endpoints/:id",
    {
      schema: {
        description: "Retrieve a webhook endpoint.",
        params: IdParams,
        querystring: NoParams,
        response: errorResponses,
      },
    },
    async (request) => endpointObject(await load(request.params.id)),
  );

  app.get<{ Querystring: Static<typeof ListEndpointsQuery> }>(
    "/v1/webhook_endpoints",
    {
      schema: {
        description: "List webhook endpoints, newest first.",
        querystring: ListEndpointsQuery,
        response: errorResponses,
      },
    },
    async (request) => {
      const q = request.query;
      const page = await ctx.store.listEndpoints(tenant, pageOptions(q));
      return listObject(
        "/v1/webhook_endpoints",
        page.data.map((e) => endpointObject(e)),
        page.hasMore,
      );
    },
  );

  const update = async (id: string, body: UpdateEndpointBody) => {
    const endpoint = await load(id);
    const next: EndpointRow = { ...endpoint, updatedAt: ctx.clock() };
    if (body.url !== undefined) next.url = checkEndpointUrl(body.url);
    if (body.enabled_events !== undefined)
      next.enabledEvents = checkEnabledEvents(body.enabled_events);
    if (body.description !== undefined) next.description = body.description;
    if (body.metadata !== undefined) next.metadata = body.metadata;
    if (body.signature_schemes !== undefined) next.signatureSchemes = body.signature_schemes;
    if (body.disabled === true && endpoint.status === "enabled") {
      next.status = "disabled";
      next.disabledReason = "disabled through the API";
    } else if (body.disabled === false && endpoint.status === "disabled") {
      next.status = "enabled";
      next.disabledReason = null;
    }
    await ctx.store.updateEndpoint(next);
    ctx.endpoints.invalidate(tenant);
    if (next.status === "enabled" && endpoint.status === "disabled") ctx.handoff.wake();
    return endpointObject(next);
  };
  const updateSchema = {
    description:
      "Update a webhook endpoint (url, enabled_events, description, metadata, signature_schemes, disabled).",
    params: IdParams,
    body: UpdateEndpointBody,
    response: errorResponses,
  };
  app.post<{ Params: Static<typeof IdParams>; Body: UpdateEndpointBody }>(
    "/v1/webhook_endpoints/:id",
    { schema: updateSchema },
    async (request) => update(request.params.id, request.body),
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: UpdateEndpointBody }>(
    "/v1/webhook_endpoints/:id",
    { schema: updateSchema },
    async (request) => update(request.params.id, request.body),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/v1/webhook_endpoints/:id",
    {
      schema: {
        description: "Delete a webhook endpoint; its undelivered deliveries are cancelled.",
        params: IdParams,
        body: NoParams,
        response: errorResponses,
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
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
        response: errorResponses,
      },
      // The body is optional: no body means the defaults.
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const graceMs = secretGraceMs(request.body?.expires_in);
      const endpoint = await load(request.params.id);
      const now = ctx.clock();
      const next: EndpointRow = {
        ...endpoint,
        secret: generateSecret(),
        previousSecret: graceMs > 0 ? endpoint.secret : null,
        previousSecretExpiresAt: graceMs > 0 ? now + graceMs : null,
        updatedAt: now,
      };
      await ctx.store.updateEndpoint(next);
      ctx.endpoints.invalidate(tenant);
      return endpointObject(next, { withSecret: true });
    },
  );
}
