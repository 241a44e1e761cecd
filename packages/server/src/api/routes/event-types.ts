import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { catalogTypes, findEventType } from "../../catalog/catalog.ts";
import { newScenario } from "../../catalog/scenario.ts";
import type { AppContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { errorResponses, NoParams } from "../schemas/common.ts";
import { EventTypeListSchema, EventTypeSchema } from "../schemas/responses.ts";
import { listObject } from "../serialize.ts";

const TypeParams = Type.Object({ type: Type.String({ maxLength: 200 }) });

function eventTypeObject(name: string, options: { example?: boolean } = {}) {
  const found = findEventType(name)!;
  return {
    object: "event_type" as const,
    name,
    description: found.description,
    schema: found.schema,
    // A fresh cast each time: the example reads like a real event, never like a constant.
    ...(options.example ? { example: found.fixture(newScenario()) } : {}),
  };
}

/** The event catalog: the payment event types, their JSON Schemas and an example of each. */
export function eventTypeRoutes(app: FastifyInstance, _ctx: AppContext): void {
  app.get(
    "/v1/event_types",
    {
      schema: {
        description:
          "List the event types of the catalog, with the JSON Schema of each one's data.object. One page: the catalog is small.",
        querystring: NoParams,
        response: { 200: EventTypeListSchema, ...errorResponses },
      },
    },
    async () =>
      listObject(
        "/v1/event_types",
        catalogTypes().map((name) => eventTypeObject(name)),
        false,
      ),
  );

  app.get<{ Params: Static<typeof TypeParams> }>(
    "/v1/event_types/:type",
    {
      schema: {
        description:
          "Retrieve one event type: its description, the JSON Schema of its data.object and an example data.",
        params: TypeParams,
        querystring: NoParams,
        response: { 200: EventTypeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const name = request.params.type;
      if (findEventType(name) === undefined) throw notFound("event type", name, "type");
      return eventTypeObject(name, { example: true });
    },
  );
}
