import { type TSchema, Type } from "@sinclair/typebox";
import { DeliverySchema } from "./delivery.ts";
import { EndpointSchema } from "./endpoint.ts";
import { EventSchema } from "./event.ts";

// Success answers, declared for the OpenAPI document and the typed client. They document and
// are checked by the contract test; they do not shape what is sent (app.ts serializes as is).

export const ListOf = (name: string, item: TSchema) =>
  Type.Object(
    {
      object: Type.Literal("list"),
      data: Type.Array(item),
      has_more: Type.Boolean(),
      url: Type.String(),
    },
    { $id: name, description: "A page of a list, newest first." },
  );

export const EndpointListSchema = ListOf("WebhookEndpointList", EndpointSchema);
export const EventListSchema = ListOf("EventList", EventSchema);
export const DeliveryListSchema = ListOf("WebhookDeliveryList", DeliverySchema);

export const DeletedEndpointSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("webhook_endpoint"),
    deleted: Type.Literal(true),
  },
  { $id: "DeletedWebhookEndpoint" },
);

export const HealthSchema = Type.Object({ status: Type.Literal("ok") }, { $id: "Health" });

export const ReadinessSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
    database: Type.Boolean({ description: "The database answers." }),
    store: Type.Union(
      [Type.Literal("up"), Type.Literal("database_unavailable"), Type.Literal("disk_full")],
      {
        description:
          "`up`, or why the store refuses writes: the database cannot be reached, or its disk is full.",
      },
    ),
    migrations: Type.Boolean({
      description: "The database schema is at the latest version this build knows.",
    }),
    dispatcher: Type.Boolean({ description: "The dispatcher is claiming deliveries." }),
  },
  { $id: "Readiness" },
);

const NullableTime = Type.Union([Type.Integer(), Type.Null()]);
const NullableMs = Type.Union([Type.Number(), Type.Null()]);

export const EndpointHealthReportSchema = Type.Object(
  {
    object: Type.Literal("webhook_endpoint_health"),
    endpoint: Type.String(),
    status: Type.Union([Type.Literal("enabled"), Type.Literal("disabled")]),
    state: Type.String({ description: "healthy, failing or disabling_soon." }),
    consecutive_failures: Type.Integer(),
    failing_since: NullableTime,
    disable_at: NullableTime,
    last_success_at: NullableTime,
    last_failure_at: NullableTime,
    window: Type.Object({
      since: Type.Integer(),
      attempts: Type.Integer(),
      success_rate: Type.Union([Type.Number(), Type.Null()]),
      latency_ms: Type.Object({ p50: NullableMs, p95: NullableMs }),
    }),
    deliveries: Type.Object({
      pending: Type.Integer(),
      in_flight: Type.Integer(),
      failed: Type.Integer(),
      skipped: Type.Integer(),
    }),
    circuit: Type.Object(
      {
        state: Type.Union([
          Type.Literal("closed"),
          Type.Literal("open"),
          Type.Literal("half_open"),
        ]),
        reason: Type.Union([Type.Literal("unreachable"), Type.Literal("error_rate"), Type.Null()]),
        open_until: NullableTime,
      },
      {
        description:
          "This node's circuit breaker for the endpoint: open while it is unreachable or fails most requests; its deliveries then wait for a probe (docs/operations.md).",
      },
    ),
  },
  { $id: "WebhookEndpointHealth" },
);

export const EndpointRecoverySchema = Type.Object(
  {
    object: Type.Literal("webhook_endpoint_recovery"),
    endpoint: Type.String(),
    since: Type.Integer(),
    until: Type.Integer(),
    requeued: Type.Integer({ description: "How many deliveries were queued again." }),
  },
  { $id: "WebhookEndpointRecovery" },
);

export const EventTypeSchema = Type.Object(
  {
    object: Type.Literal("event_type"),
    name: Type.String({ description: 'The type, e.g. "invoice.payment_failed".' }),
    description: Type.String(),
    schema: Type.Record(Type.String(), Type.Unknown(), {
      description: "JSON Schema (draft 2020-12 subset) of the event's data.object.",
    }),
    example: Type.Optional(
      Type.Object(
        {
          object: Type.Record(Type.String(), Type.Unknown()),
          previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { description: "A realistic data for this type (retrieve only)." },
      ),
    ),
  },
  { $id: "EventType" },
);

export const EventTypeListSchema = ListOf("EventTypeList", EventTypeSchema);
