import { type Static, Type } from "@sinclair/typebox";
import { ErrorSchema, ListQuery } from "./common.ts";

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

/** One item of a batch: an event as `POST /v1/events` takes it, and its own idempotency key. */
export const BatchEventItem = Type.Object(
  {
    ...CreateEventBody.properties,
    idempotency_key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: "^[\\x20-\\x7e]+$",
        description:
          "This event's own idempotency key, as the Idempotency-Key header of a single create: the same key and event through either route are one event.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type BatchEventItem = Static<typeof BatchEventItem>;

export const CreateEventBatchBody = Type.Object(
  {
    events: Type.Array(BatchEventItem, {
      minItems: 1,
      description: "Up to 1,000 events (HOOKLINE_MAX_BATCH_EVENTS), in one body of up to 1 MB.",
    }),
  },
  { additionalProperties: false },
);

/**
 * What the batch route validates as a whole: each item is validated on its own, so that one bad
 * item is refused alone with its position (`events[3].type`), not the whole batch.
 */
export const BatchEnvelope = Type.Object(
  { events: Type.Array(Type.Unknown(), { minItems: 1 }) },
  { additionalProperties: false },
);

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

export const EventBatchSchema = Type.Object(
  {
    object: Type.Literal("list"),
    data: Type.Array(Type.Union([EventSchema, ErrorSchema]), {
      description: "One entry per item sent, in its order: the event, or the item's error.",
    }),
    has_more: Type.Literal(false),
    url: Type.String(),
  },
  { $id: "EventBatch" },
);
