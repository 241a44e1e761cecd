import { type Static, Type } from "@sinclair/typebox";
import { DELIVERY_STATUSES } from "../../domain/delivery-status.ts";
import { ListQuery } from "./common.ts";

export const ListDeliveriesQuery = Type.Object(
  {
    ...ListQuery,
    event: Type.Optional(Type.String({ maxLength: 100 })),
    endpoint: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;

export const AttemptSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal("webhook_attempt"),
  created: Type.Integer(),
  duration_ms: Type.Integer(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  response_body: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.Object({ kind: Type.String(), message: Type.String() }), Type.Null()]),
  request_headers: Type.Record(Type.String(), Type.String()),
  trace_parent: Type.Union([Type.String(), Type.Null()], {
    description:
      "The W3C traceparent the attempt sent: the event's trace (the ingest request's when it had a valid traceparent), a span id of its own. Null for attempts that sent nothing.",
  }),
});

export const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("webhook_delivery"),
    event: Type.String(),
    endpoint: Type.String(),
    status: Type.String(),
    attempt_count: Type.Integer(),
    next_attempt_at: Type.Union([Type.Integer(), Type.Null()]),
    last_attempt_at: Type.Union([Type.Integer(), Type.Null()]),
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    ordering_key: Type.Union([Type.String(), Type.Null()], {
      description: "Set on deliveries of a per_key endpoint: the event's ordering key.",
    }),
    sequence: Type.Union([Type.Integer(), Type.Null()], {
      description: "The delivery's place in its key's sequence, from 1 (Hookline-Sequence).",
    }),
    created: Type.Integer(),
    attempts: Type.Optional(Type.Array(AttemptSchema)),
  },
  { $id: "WebhookDelivery" },
);
