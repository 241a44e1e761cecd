import { Type } from "@sinclair/typebox";
import { ErrorSchema } from "./common.ts";
import { ListOf } from "./responses.ts";

export const OutboxFailureSchema = Type.Object(
  {
    id: Type.String({ description: "`obx_` and the outbox row's id." }),
    object: Type.Literal("outbox_failure"),
    tenant: Type.String({
      description: "The tenant the row named (possibly one that does not exist).",
    }),
    type: Type.String(),
    data: Type.Unknown({ description: "The row's data, as the application wrote it." }),
    idempotency_key: Type.Union([Type.String(), Type.Null()]),
    ordering_key: Type.Union([Type.String(), Type.Null()]),
    created: Type.Integer({ description: "When the application wrote the row (unix seconds)." }),
    failed: Type.Integer({ description: "When Hookline set it aside (unix seconds)." }),
    attempts: Type.Integer(),
    error: ErrorSchema.properties.error,
  },
  { $id: "OutboxFailure", additionalProperties: false },
);
export const OutboxFailureListSchema = ListOf("OutboxFailureList", OutboxFailureSchema);

/** The answer to a retry or a delete of a row set aside. */
export const OutboxFailureChangeSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("outbox_failure"),
    retried: Type.Optional(Type.Literal(true)),
    deleted: Type.Optional(Type.Literal(true)),
  },
  { $id: "OutboxFailureChange" },
);
