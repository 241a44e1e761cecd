import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdPrefix } from "../../ids.ts";
import type { AppContext } from "../context.ts";
import { ApiError, ErrorType } from "../errors.ts";
import { findOr404 } from "../lookup.ts";
import {
  defaultEmptyBody,
  errorResponses,
  IdParams,
  NoParams,
  pageOptions,
} from "../schemas/common.ts";
import { DeliverySchema, ListDeliveriesQuery } from "../schemas/delivery.ts";
import { DeliveryListSchema } from "../schemas/responses.ts";
import { deliveryObject, listObject } from "../serialize.ts";
import { endpointDisabled } from "./endpoints.ts";

export function deliveryRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: ListDeliveriesQuery }>(
    "/v1/deliveries",
    {
      schema: {
        description: "List deliveries, newest first; filter by event, endpoint and status.",
        querystring: ListDeliveriesQuery,
        response: { 200: DeliveryListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const q = request.query;
      const page = await ctx.store.listDeliveries(tenant, {
        ...pageOptions(q),
        eventId: q.event,
        endpointId: q.endpoint,
        status: q.status,
      });
      return listObject(
        "/v1/deliveries",
        page.data.map((d) => deliveryObject(d)),
        page.hasMore,
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/deliveries/:id",
    {
      schema: {
        description: "Retrieve a delivery with all its attempts.",
        params: IdParams,
        querystring: NoParams,
        response: { 200: DeliverySchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
      const delivery = await findOr404("delivery", IdPrefix.delivery, request.params.id, (id) =>
        ctx.store.getDelivery(tenant, id),
      );
      return deliveryObject(delivery, await ctx.store.listAttempts(delivery.id));
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    "/v1/deliveries/:id/retry",
    {
      schema: {
        description:
          "Attempt a delivery again now, whatever its state, unless an attempt is in flight.",
        params: IdParams,
        body: NoParams,
        response: { 200: DeliverySchema, ...errorResponses, 409: errorResponses[400] },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const id = request.params.id;
      const before = await findOr404("delivery", IdPrefix.delivery, id, (found) =>
        ctx.store.getDelivery(tenant, found),
      );
      if (before.status === "in_flight") {
        throw new ApiError(
          409,
          ErrorType.invalidRequest,
          "delivery_in_flight",
          `Delivery ${id} has an attempt in flight; retry it once that attempt ends.`,
        );
      }
      const endpoint = await ctx.store.getEndpoint(tenant, before.endpointId);
      if (endpoint?.status === "disabled") throw endpointDisabled(endpoint.id);
      const after = await ctx.store.retryDelivery(tenant, id, ctx.clock());
      ctx.handoff.wake();
      return deliveryObject(after ?? before);
    },
  );
}
