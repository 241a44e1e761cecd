import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { formatDuration, parseDuration } from "../../config/duration.ts";
import { IdPrefix } from "../../ids.ts";
import type { AppContext } from "../context.ts";
import { ApiError, ErrorType, invalidParam } from "../errors.ts";
import { findOr404 } from "../lookup.ts";
import type { PortalSigner } from "../portal-signer.ts";
import { defaultEmptyBody, errorResponses, IdParams, NoParams } from "../schemas/common.ts";
import {
  CreatePortalLinkBody,
  PORTAL_LINK_DEFAULT_SECONDS,
  PORTAL_LINK_MAX_SECONDS,
  PortalLinkSchema,
  PortalSessionSchema,
} from "../schemas/tenant.ts";
import { requireRoot } from "../tenancy.ts";

/** The dashboard's page for portal links; the token follows in the fragment. */
export const PORTAL_PATH = "/portal";

/** `expires_in` in whole seconds: an integer as is, a duration string parsed (rounded up). */
function expiresInSeconds(value: number | string | undefined): number {
  if (value === undefined) return PORTAL_LINK_DEFAULT_SECONDS;
  const seconds = typeof value === "number" ? value : Math.ceil((parseDuration(value) ?? 0) / 1000);
  if (seconds < 1 || seconds > PORTAL_LINK_MAX_SECONDS) {
    throw invalidParam(
      "expires_in",
      `expires_in: expected seconds (1 to ${PORTAL_LINK_MAX_SECONDS}) or a duration such as 30m, 12h, 7d, at most ${formatDuration(PORTAL_LINK_MAX_SECONDS * 1000)}; got ${JSON.stringify(value)}.`,
    );
  }
  return seconds;
}

/**
 * Portal links: the root key mints a signed, expiring link to the dashboard scoped to one
 * tenant; the link's holder reads its session here.
 */
export function portalLinkRoutes(app: FastifyInstance, ctx: AppContext, signer: PortalSigner) {
  app.post<{ Params: Static<typeof IdParams>; Body: CreatePortalLinkBody }>(
    "/v1/tenants/:id/portal_links",
    {
      onRequest: async (request) => requireRoot(request),
      preValidation: defaultEmptyBody,
      schema: {
        description:
          "Create a portal link: a signed URL to the dashboard that shows only this tenant's endpoints, events and deliveries, until it expires (root key only). Nothing is stored: a link cannot be revoked, except by deleting the tenant; keep expiries short.",
        params: IdParams,
        body: CreatePortalLinkBody,
        response: { 200: PortalLinkSchema, ...errorResponses },
      },
    },
    async (request) => {
      const seconds = expiresInSeconds(request.body.expires_in);
      const tenant = await findOr404("tenant", IdPrefix.tenant, request.params.id, (id) =>
        ctx.tenants.getTenant(id),
      );
      const expiresAt = (Math.floor(ctx.clock() / 1000) + seconds) * 1000;
      const token = await signer.sign({ tenantId: tenant.id, expiresAt });
      return {
        object: "portal_link" as const,
        tenant: tenant.id,
        url: `${request.protocol}://${request.host}${PORTAL_PATH}#token=${token}`,
        token,
        expires_at: expiresAt / 1000,
      };
    },
  );

  app.get(
    "/v1/portal_session",
    {
      schema: {
        description:
          "The portal link this request is made with: its tenant and when it expires (portal links only; the dashboard shows it).",
        querystring: NoParams,
        response: { 200: PortalSessionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal.kind !== "portal") {
        throw new ApiError(
          403,
          ErrorType.permission,
          "permission_denied",
          "Only a portal link has a portal session; API keys are not portal links.",
        );
      }
      const tenant = await ctx.tenants.getTenant(principal.tenantId);
      return {
        object: "portal_session" as const,
        tenant: { id: principal.tenantId, name: tenant?.name ?? principal.tenantId },
        expires_at: principal.expiresAt / 1000,
      };
    },
  );
}
