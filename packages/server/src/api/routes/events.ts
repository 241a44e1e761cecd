import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { isEventType } from "../../domain/match.ts";
import { IdPrefix } from "../../ids.ts";
import { ingestEvent } from "../../ingest/create-event.ts";
import type { AppContext } from "../context.ts";
import { DEFAULT_TENANT } from "../context.ts";
import { idempotencyConflict, invalidParam } from "../errors.ts";
import { idempotencyKey } from "../idempotency-key.ts";
import { findOr404 } from "../lookup.ts";
import { errorResponses, IdParams, NoParams, pageOptions } from "../schemas/common.ts";
import { CreateEventBody, ListEventsQuery } from "../schemas/event.ts";
import { eventObject, listObject } from "../serialize.ts";

export function eventRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tenant = DEFAULT_TENANT;

  app.post<{ Body: CreateEventBody }>(
    "/v1/events",
    {
      schema: {
        description:
          "Send an event: it is stored, then delivered to every enabled endpoint subscribed to its type.",
        body: CreateEventBody,
        response: { ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { type, data } = request.body;
      if (!isEventType(type)) {
        throw invalidParam(
          "type",
          `Invalid type '${type.slice(0, 200)}': use dot-separated words of letters, digits, _ and -, such as "invoice.paid".`,
        );
      }
      const key = idempotencyKey(request.headers);
      const result = await ingestEvent(
        ctx,
        { tenantId: tenant, type, data, requestId: request.id, idempotencyKey: key },
        ctx.clock(),
      );
      if (result.kind === "conflict") throw idempotencyConflict(key!);
      if (result.kind === "created") {
        // The stored bytes are the answer: no second serialization on the hot path.
        return reply.type("application/json").send(result.event.payload);
      }
      const pending = await ctx.store.pendingDeliveryCounts([result.event.id]);
      return eventObject(result.event, pending.get(result.event.id) ?? 0);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/events/:id",
    {
      schema: {
        description: "Retrieve an event.",
        params: IdParams,
        querystring: NoParams,
        response: errorResponses,
      },
    },
    async (request) => {
      const event = await findOr404("event", IdPrefix.event, request.params.id, (id) =>
        ctx.store.getEvent(tenant, id),
      );
      const pending = await ctx.store.pendingDeliveryCounts([event.id]);
      return eventObject(event, pending.get(event.id) ?? 0);
    },
  );

  app.get<{ Querystring: ListEventsQuery }>(
    "/v1/events",
    {
      schema: {
        description:
          "List events, newest first; filter by type (exact or prefix.*), created[gte|lte] (unix seconds) and delivery_success.",
        querystring: ListEventsQuery,
        response: errorResponses,
      },
    },
    async (request) => {
      const q = request.query;
      const page = await ctx.store.listEvents(tenant, {
        ...pageOptions(q),
        type: q.type,
        createdGte: q["created[gte]"] === undefined ? undefined : q["created[gte]"] * 1000,
        createdLte: q["created[lte]"] === undefined ? undefined : q["created[lte]"] * 1000 + 999,
        deliverySuccess: q.delivery_success,
      });
      const pending = await ctx.store.pendingDeliveryCounts(page.data.map((e) => e.id));
      return listObject(
        "/v1/events",
        page.data.map((e) => eventObject(e, pending.get(e.id) ?? 0)),
        page.hasMore,
      );
    },
  );
}
