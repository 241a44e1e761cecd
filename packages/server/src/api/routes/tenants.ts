import type { Static } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdPrefix, isId, newId } from "../../ids.ts";
import type { TenantRow } from "../../store/tenant-types.ts";
import { type AppContext, DEFAULT_TENANT } from "../context.ts";
import { ApiError, ErrorType, invalidParam } from "../errors.ts";
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
  CreateTenantBody,
  DeletedTenantSchema,
  TenantListSchema,
  TenantSchema,
  UpdateTenantBody,
} from "../schemas/tenant.ts";
import { listObject } from "../serialize.ts";
import { requireRoot } from "../tenancy.ts";

const ListTenantsQuery = Type.Object(ListQuery, { additionalProperties: false });

export const tenantObject = (t: TenantRow) => ({
  id: t.id,
  object: "tenant" as const,
  name: t.name,
  metadata: t.metadata,
  created: Math.floor(t.createdAt / 1000),
});

/** Tenants: the root key manages them; each has its own endpoints, events and keys. */
export function tenantRoutes(app: FastifyInstance, ctx: AppContext): void {
  const load = (id: string) =>
    findOr404("tenant", IdPrefix.tenant, id, (found) => ctx.tenants.getTenant(found));
  const onlyRoot = {
    onRequest: async (request: Parameters<typeof requireRoot>[0]) => requireRoot(request),
  };

  app.post<{ Body: CreateTenantBody }>(
    "/v1/tenants",
    {
      ...onlyRoot,
      schema: {
        description: "Create a tenant (root key only).",
        body: CreateTenantBody,
        response: { 200: TenantSchema, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request) => {
      const { id, name, metadata } = request.body;
      if (id !== undefined && !isId(id, IdPrefix.tenant)) {
        throw invalidParam("id", "Invalid id: use tn_ followed by 1 to 64 letters and digits.");
      }
      const now = ctx.clock();
      const tenant: TenantRow = {
        id: id ?? newId(IdPrefix.tenant),
        name,
        metadata: metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      if (!(await ctx.tenants.createTenant(tenant))) {
        throw new ApiError(
          409,
          ErrorType.invalidRequest,
          "resource_already_exists",
          `A tenant with id '${tenant.id}' already exists (or existed: ids are never reused).`,
          "id",
        );
      }
      return tenantObject(tenant);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/tenants/:id",
    {
      ...onlyRoot,
      schema: {
        description: "Retrieve a tenant (root key only).",
        params: IdParams,
        querystring: NoParams,
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => tenantObject(await load(request.params.id)),
  );

  app.get<{ Querystring: Static<typeof ListTenantsQuery> }>(
    "/v1/tenants",
    {
      ...onlyRoot,
      schema: {
        description: "List tenants, newest first (root key only).",
        querystring: ListTenantsQuery,
        response: { 200: TenantListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const page = await ctx.tenants.listTenants(pageOptions(request.query));
      return listObject("/v1/tenants", page.data.map(tenantObject), page.hasMore);
    },
  );

  const update = async (id: string, body: UpdateTenantBody) => {
    const tenant = await load(id);
    const next: TenantRow = {
      ...tenant,
      name: body.name ?? tenant.name,
      metadata: body.metadata ?? tenant.metadata,
      updatedAt: ctx.clock(),
    };
    await ctx.tenants.updateTenant(next);
    return tenantObject(next);
  };
  const updateSchema = {
    description: "Update a tenant's name or metadata (root key only).",
    params: IdParams,
    body: UpdateTenantBody,
    response: { 200: TenantSchema, ...errorResponses },
  };
  for (const method of ["post", "patch"] as const) {
    app[method]<{ Params: Static<typeof IdParams>; Body: UpdateTenantBody }>(
      "/v1/tenants/:id",
      { ...onlyRoot, schema: updateSchema, preValidation: defaultEmptyBody },
      async (request) => update(request.params.id, request.body),
    );
  }

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/v1/tenants/:id",
    {
      ...onlyRoot,
      schema: {
        description:
          "Delete a tenant that has no endpoints left: it disappears and its API keys stop working (root key only).",
        params: IdParams,
        body: NoParams,
        response: { 200: DeletedTenantSchema, ...errorResponses, 409: errorResponses[400] },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const { id } = request.params;
      if (id === DEFAULT_TENANT) {
        throw invalidParam("id", "The default tenant cannot be deleted.");
      }
      await load(id);
      const result = await ctx.tenants.deleteTenant(id, ctx.clock());
      if (result === "has_endpoints") {
        throw new ApiError(
          409,
          ErrorType.invalidRequest,
          "tenant_has_endpoints",
          `Tenant '${id}' still has webhook endpoints: delete them first.`,
          "id",
        );
      }
      if (result === "missing") await load(id);
      return { id, object: "tenant" as const, deleted: true as const };
    },
  );
}
