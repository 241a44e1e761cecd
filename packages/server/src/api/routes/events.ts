import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdPrefix, isId, newId } from "../../ids.ts";
import { ingestEvent } from "../../ingest/create-event.ts";
import { incomingTrace } from "../../trace/trace-context.ts";
import type { AppContext } from "../context.ts";
import { idempotencyConflict, notFound } from "../errors.ts";
import { checkEventInput } from "../event-input.ts";
import { idempotencyKey } from "../idempotency-key.ts";
import { findOr404 } from "../lookup.ts";
import {
  defaultEmptyBody,
  errorResponses,
  IdParams,
  NoParams,
  pageOptions,
} from "../schemas/common.ts";
import { CreateEventBody, EventSchema, ListEventsQuery, RetryEventBody } from "../schemas/event.ts";
import { DeliveryListSchema, EventListSchema } from "../schemas/responses.ts";
import { deliveryObject, eventObject, listObject } from "../serialize.ts";
import { endpointDisabled } from "./endpoints.ts";

export function eventRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: CreateEventBody }>(
    "/v1/events",
    {
      schema: {
        description:
          "Send an event: it is stored, then delivered to every enabled endpoint subscribed to its type.",
        body: CreateEventBody,
        response: { 200: EventSchema, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const tenant = request.tenantId;
      const { type, data, ordering_key: orderingKey } = request.body;
      const refused = checkEventInput(type, data.object, ctx.config);
      if (refused !== undefined) throw refused;
      const key = idempotencyKey(request.headers);
      const result = await ingestEvent(
        ctx,
        {
          tenantId: tenant,
          type,
          data,
          requestId: request.id,
          idempotencyKey: key,
          orderingKey,
          // An invalid traceparent is ignored (a new trace), never refused: W3C §4.3.
          trace: incomingTrace(request.headers),
        },
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
        response: { 200: EventSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
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
        response: { 200: EventListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = request.tenantId;
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

  app.post<{ Params: Static<typeof IdParams>; Body: RetryEventBody | undefined }>(
    "/v1/events/:id/retry",
    {
      schema: {
        description:
          "Resend an event: to every endpoint it went to, or to one endpoint (created for it if the event never went there). Deliveries already queued are not queued twice.",
        params: IdParams,
        body: RetryEventBody,
        response: { 200: DeliveryListSchema, ...errorResponses },
      },
      // The body is optional: no body means every endpoint.
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const event = await findOr404("event", IdPrefix.event, request.params.id, (id) =>
        ctx.store.getEvent(tenant, id),
      );
      const endpointId = request.body?.endpoint;
      if (endpointId !== undefined) {
        const endpoint = isId(endpointId, IdPrefix.endpoint)
          ? await ctx.store.getEndpoint(tenant, endpointId)
          : undefined;
        if (endpoint === undefined) throw notFound("webhook_endpoint", endpointId, "endpoint");
        if (endpoint.status === "disabled") throw endpointDisabled(endpoint.id, "endpoint");
      }
      const deliveries = await ctx.store.retryEvent({
        tenantId: tenant,
        eventId: event.id,
        endpointId,
        newDeliveryId: newId(IdPrefix.delivery),
        now: ctx.clock(),
      });
      ctx.handoff.wake();
      return listObject(
        `/v1/events/${event.id}/retry`,
        deliveries.map((d) => deliveryObject(d)),
        false,
      );
    },
  );
}
