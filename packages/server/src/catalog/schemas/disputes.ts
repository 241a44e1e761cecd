import { Type } from "@sinclair/typebox";
import { Currency, Id, Literals, Metadata, Nullable, objectBase, Timestamp } from "./common.ts";

export const DisputeSchema = Type.Object(
  {
    ...objectBase("dp", "dispute"),
    amount: Type.Integer({ minimum: 0 }),
    currency: Currency,
    charge: Id("ch"),
    payment_intent: Nullable(Id("pi")),
    reason: Type.String(),
    status: Literals(
      "warning_needs_response",
      "warning_under_review",
      "warning_closed",
      "needs_response",
      "under_review",
      "won",
      "lost",
    ),
    evidence_details: Type.Object({
      due_by: Nullable(Timestamp),
      has_evidence: Type.Boolean(),
      submission_count: Type.Integer({ minimum: 0 }),
    }),
    is_charge_refundable: Type.Boolean(),
    created: Timestamp,
    metadata: Metadata,
  },
  { title: "Dispute" },
);
