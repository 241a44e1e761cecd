import { randomBytes } from "node:crypto";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdPrefix, isId, newId } from "../../ids.ts";
import type { ApiKeyRow } from "../../store/tenant-types.ts";
import { hashKey } from "../auth.ts";
import type { AppContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { findOr404 } from "../lookup.ts";
import {
  defaultEmptyBody,
  errorResponses,
  IdParams,
  NoParams,
  pageOptions,
} from "../schemas/common.ts";
import {
  ApiKeyListSchema,
  ApiKeySchema,
  CreateApiKeyBody,
  ListApiKeysQuery,
} from "../schemas/tenant.ts";
import { listObject } from "../serialize.ts";
import { requireRoot } from "../tenancy.ts";

const keyObject = (k: ApiKeyRow, key?: string) => ({
  id: k.id,
  object: "api_key" as const,
  tenant: k.tenantId,
  name: k.name,
  ...(key === undefined ? {} : { key }),
  key_hint: k.keyHint,
  created: Math.floor(k.createdAt / 1000),
  revoked: k.revokedAt === null ? null : Math.floor(k.revokedAt / 1000),
});

/** Tenant-scoped API keys: shown once at creation, stored as a hash, revocable. Root key only. */
export function apiKeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const onlyRoot = {
    onRequest: async (request: Parameters<typeof requireRoot>[0]) => requireRoot(request),
  };
  const tenantOr404 = async (id: string, param: string) => {
    const tenant = isId(id, IdPrefix.tenant) ? await ctx.tenants.getTenant(id) : undefined;
    if (tenant === undefined) throw notFound("tenant", id, param);
    return tenant;
  };

  app.post<{ Body: CreateApiKeyBody }>(
    "/v1/api_keys",
    {
      ...onlyRoot,
      schema: {
        description:
          "Create an API key scoped to one tenant; the answer holds the key, which is never shown again (root key only).",
        body: CreateApiKeyBody,
        response: { 200: ApiKeySchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await tenantOr404(request.body.tenant, "tenant");
      const key = `hk_${randomBytes(24).toString("base64url")}`;
      const row: ApiKeyRow = {
        id: newId(IdPrefix.apiKey),
        tenantId: tenant.id,
        name: request.body.name ?? null,
        keyHint: `${key.slice(0, 7)}…`,
        createdAt: ctx.clock(),
        revokedAt: null,
      };
      await ctx.tenants.createApiKey(row, hashKey(key));
      return keyObject(row, key);
    },
  );

  app.get<{ Querystring: ListApiKeysQuery }>(
    "/v1/api_keys",
    {
      ...onlyRoot,
      schema: {
        description: "List API keys, newest first, optionally of one tenant (root key only).",
        querystring: ListApiKeysQuery,
        response: { 200: ApiKeyListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenant } = request.query;
      if (tenant !== undefined) await tenantOr404(tenant, "tenant");
      const page = await ctx.tenants.listApiKeys(tenant, pageOptions(request.query));
      return listObject(
        "/v1/api_keys",
        page.data.map((k) => keyObject(k)),
        page.hasMore,
      );
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/v1/api_keys/:id",
    {
      ...onlyRoot,
      schema: {
        description: "Revoke an API key: it stops working at once (root key only).",
        params: IdParams,
        body: NoParams,
        response: { 200: ApiKeySchema, ...errorResponses },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const found = await findOr404("api_key", IdPrefix.apiKey, request.params.id, (id) =>
        ctx.tenants.getApiKey(id),
      );
      const revoked = await ctx.tenants.revokeApiKey(found.id, ctx.clock());
      return keyObject(revoked ?? found);
    },
  );
}
