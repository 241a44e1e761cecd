import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { catalogTypes, fixtureOf } from "../../catalog/catalog.ts";
import { closest } from "../../catalog/closest.ts";
import { newScenario } from "../../catalog/scenario.ts";
import { attemptRow } from "../../dispatch/attempt-row.ts";
import { signingSecrets } from "../../domain/signing-secrets.ts";
import { tlsClientOf } from "../../endpoint-options/client-certificate.ts";
import { passesFilter } from "../../endpoint-options/payload-filter.ts";
import { IdPrefix } from "../../ids.ts";
import type { DeliveryHandoff } from "../../ingest/create-event.ts";
import { prepareEvent } from "../../ingest/prepare-event.ts";
import { incomingTrace } from "../../trace/trace-context.ts";
import type { AppContext } from "../context.ts";
import { checkFilter } from "../endpoint-input.ts";
import { ApiError, ErrorType, invalidParam } from "../errors.ts";
import { findOr404 } from "../lookup.ts";
import { defaultEmptyBody, errorResponses, IdParams } from "../schemas/common.ts";
import {
  FilterTestBody,
  FilterTestSchema,
  TestSendBody,
  TestSendSchema,
} from "../schemas/endpoint-tools.ts";
import { attemptObject } from "../serialize.ts";

/** The example sent when a test send names no type: the event most receivers handle first. */
export const DEFAULT_TEST_TYPE = "payment_intent.succeeded";

/** Builds an event's bytes without fanning it out: nothing is leased, nothing is stored. */
const NO_HANDOFF: DeliveryHandoff = {
  owner: "test-send",
  leaseMs: 0,
  hasRoom: () => false,
  adopt: () => {},
  wake: () => {},
  resetEndpoint: () => {},
};

/**
 * What a receiver's developer asks before going live: would this filter let that event through
 * (`filter_test`), and does my endpoint accept a signed request (`test`)?
 */
export function endpointToolRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: Static<typeof FilterTestBody> }>(
    "/v1/webhook_endpoints/filter_test",
    {
      schema: {
        description:
          "Whether a payload filter matches an event, evaluated exactly as at fan-out. Writes nothing.",
        body: FilterTestBody,
        response: { 200: FilterTestSchema, ...errorResponses },
      },
    },
    async (request) => ({
      object: "webhook_endpoint_filter_test" as const,
      matches: passesFilter(checkFilter(request.body.filter), request.body.event),
    }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TestSendBody> }>(
    "/v1/webhook_endpoints/:id/test",
    {
      schema: {
        description:
          "Send one example event of a catalog type to this endpoint alone, signed and sent as every delivery is (its custom headers, auth, client certificate and the address guard included), and answer with the attempt. Bounded by the delivery timeout; the event and the attempt are not stored, and the endpoint's health is not changed.",
        params: IdParams,
        body: TestSendBody,
        response: { 200: TestSendSchema, ...errorResponses },
      },
      preValidation: defaultEmptyBody,
    },
    async (request) => {
      const tenant = request.tenantId;
      const type = request.body?.type ?? DEFAULT_TEST_TYPE;
      const endpoint = await findOr404(
        "webhook_endpoint",
        IdPrefix.endpoint,
        request.params.id,
        (id) => ctx.store.getEndpoint(tenant, id),
      );
      const now = ctx.clock();
      const data = fixtureOf(type, newScenario({ now }));
      if (data === undefined) {
        const near = closest(type, catalogTypes());
        throw invalidParam(
          "type",
          `No example for '${type.slice(0, 200)}': give a catalog event type (GET /v1/event_types)${near === undefined ? "" : `, such as ${near}`}.`,
        );
      }
      if (ctx.sender === undefined) {
        throw new ApiError(503, ErrorType.api, "sender_unavailable", "This node sends nothing.");
      }
      const { event } = prepareEvent(
        NO_HANDOFF,
        [],
        {
          tenantId: tenant,
          type,
          data,
          requestId: request.id,
          idempotencyKey: undefined,
          trace: incomingTrace(request.headers),
        },
        now,
      ).rows;
      const outcome = await ctx.sender.send({
        url: endpoint.url,
        body: event.payload,
        eventId: event.id,
        secrets: signingSecrets(endpoint, now),
        scheme: endpoint.signatureSchemes,
        endpointHeaders: Object.keys(endpoint.headers).length === 0 ? null : endpoint.headers,
        auth: endpoint.auth,
        traceParent: event.traceParent,
        traceState: event.traceState,
        tlsClient: tlsClientOf(endpoint.tlsClientCert, endpoint.tlsClientKey),
      });
      return {
        object: "webhook_endpoint_test" as const,
        endpoint: endpoint.id,
        succeeded: outcome.kind === "delivered",
        event: JSON.parse(event.payload.toString("utf8")) as Record<string, unknown>,
        attempt: attemptObject(attemptRow(outcome, "", now)),
      };
    },
  );
}
