import { type Static, Type } from "@sinclair/typebox";
import { ListQuery } from "./common.ts";

export const CreateEventBody = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Dot-separated words, e.g. "payment_intent.succeeded".',
    }),
    data: Type.Object(
      {
        object: Type.Record(Type.String(), Type.Unknown(), {
          description: "The object the event is about.",
        }),
        previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
    ordering_key: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
        description:
          "Events of one key reach a per_key endpoint in creation order. Default: data.object.id when it is a string; null for none.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateEventBody = Static<typeof CreateEventBody>;

export const ListEventsQuery = Type.Object(
  {
    ...ListQuery,
    type: Type.Optional(Type.String({ maxLength: 200 })),
    "created[gte]": Type.Optional(Type.Integer({ minimum: 0 })),
    "created[lte]": Type.Optional(Type.Integer({ minimum: 0 })),
    delivery_success: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const EventSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("event"),
    api_version: Type.Union([Type.String(), Type.Null()]),
    created: Type.Integer(),
    data: Type.Object({
      object: Type.Unknown(),
      previous_attributes: Type.Optional(Type.Unknown()),
    }),
    livemode: Type.Boolean(),
    ordering_key: Type.Union([Type.String(), Type.Null()]),
    pending_webhooks: Type.Integer(),
    request: Type.Object({
      id: Type.Union([Type.String(), Type.Null()]),
      idempotency_key: Type.Union([Type.String(), Type.Null()]),
    }),
    type: Type.String(),
  },
  { $id: "Event" },
);

export const RetryEventBody = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "Resend to this endpoint only (a we_ id); default every endpoint it went to.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RetryEventBody = Static<typeof RetryEventBody>;
