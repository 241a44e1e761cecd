import type { FastifyInstance, FastifyRequest } from "fastify";
import { IdPrefix, isId } from "../ids.ts";
import type { TenantStore } from "../store/tenant-types.ts";
import type { Principal } from "./auth.ts";
import { DEFAULT_TENANT } from "./context.ts";
import { ApiError, ErrorType, notFound } from "./errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Who called; set by the auth hook on every authenticated route. */
    principal: Principal;
    /** The tenant this request acts on. */
    tenantId: string;
  }
}

/** The header with which the root key acts on one tenant. */
export const TENANT_HEADER = "hookline-tenant";

export function decorateTenancy(app: FastifyInstance): void {
  // Null until the auth hook sets it (Fastify wants reference types decorated as null).
  app.decorateRequest("principal", null as unknown as { kind: "root" });
  app.decorateRequest("tenantId", DEFAULT_TENANT);
}

/**
 * The tenant a request acts on: a tenant key's (or portal link's) own; for the root key, the one its
 * `Hookline-Tenant` header names, else the default tenant. A tenant key naming another tenant
 * is refused: it can never reach past its tenant.
 */
export async function resolveTenant(
  principal: Principal,
  header: string | string[] | undefined,
  tenants: Pick<TenantStore, "getTenant">,
): Promise<string> {
  const named = Array.isArray(header) ? header[0] : header;
  if (principal.kind === "tenant" || principal.kind === "portal") {
    if (named !== undefined && named !== principal.tenantId) {
      throw new ApiError(
        403,
        ErrorType.permission,
        "permission_denied",
        `This ${principal.kind === "portal" ? "portal link" : "API key"} belongs to another tenant than the Hookline-Tenant header names.`,
        TENANT_HEADER,
      );
    }
    return principal.tenantId;
  }
  if (named === undefined || named === DEFAULT_TENANT) return DEFAULT_TENANT;
  if (!isId(named, IdPrefix.tenant) || (await tenants.getTenant(named)) === undefined) {
    throw notFound("tenant", named, TENANT_HEADER);
  }
  return named;
}

/** Routes that manage tenants and keys: the root key only. */
export function requireRoot(request: FastifyRequest): void {
  if (request.principal?.kind === "root") return;
  throw new ApiError(
    403,
    ErrorType.permission,
    "permission_denied",
    "This route needs the root API key; tenant keys act only within their tenant.",
  );
}
