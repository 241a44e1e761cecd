import { Type } from "@sinclair/typebox";
import {
  Amount,
  Currency,
  Expandable,
  Id,
  Literals,
  Metadata,
  Nullable,
  objectBase,
  Timestamp,
} from "./common.ts";

const LastError = Type.Object({
  type: Type.String(),
  code: Type.Optional(Type.String()),
  decline_code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const PaymentIntentSchema = Type.Object(
  {
    ...objectBase("pi", "payment_intent"),
    amount: Amount,
    amount_received: Amount,
    amount_capturable: Type.Optional(Amount),
    currency: Currency,
    status: Literals(
      "requires_payment_method",
      "requires_confirmation",
      "requires_action",
      "processing",
      "requires_capture",
      "canceled",
      "succeeded",
    ),
    customer: Nullable(Expandable("cus", "customer")),
    created: Timestamp,
    description: Type.Optional(Nullable(Type.String())),
    invoice: Type.Optional(Nullable(Id("in"))),
    latest_charge: Nullable(Id("ch")),
    last_payment_error: Nullable(LastError),
    cancellation_reason: Type.Optional(Nullable(Type.String())),
    metadata: Metadata,
    payment_method: Nullable(Id("pm")),
    receipt_email: Type.Optional(Nullable(Type.String())),
  },
  { title: "PaymentIntent" },
);

export const ChargeSchema = Type.Object(
  {
    ...objectBase("ch", "charge"),
    amount: Amount,
    amount_captured: Amount,
    amount_refunded: Amount,
    currency: Currency,
    status: Literals("succeeded", "pending", "failed"),
    paid: Type.Boolean(),
    captured: Type.Boolean(),
    refunded: Type.Boolean(),
    disputed: Type.Boolean(),
    customer: Nullable(Expandable("cus", "customer")),
    payment_intent: Nullable(Id("pi")),
    invoice: Type.Optional(Nullable(Id("in"))),
    created: Timestamp,
    failure_code: Nullable(Type.String()),
    failure_message: Nullable(Type.String()),
    receipt_url: Type.Optional(Nullable(Type.String())),
    metadata: Metadata,
  },
  { title: "Charge" },
);

export const RefundSchema = Type.Object(
  {
    ...objectBase("re", "refund"),
    amount: Amount,
    currency: Currency,
    charge: Nullable(Id("ch")),
    payment_intent: Nullable(Id("pi")),
    reason: Nullable(
      Literals("duplicate", "fraudulent", "requested_by_customer", "expired_uncaptured_charge"),
    ),
    status: Nullable(Literals("pending", "requires_action", "succeeded", "failed", "canceled")),
    failure_reason: Type.Optional(Nullable(Type.String())),
    created: Timestamp,
    metadata: Nullable(Metadata),
  },
  { title: "Refund" },
);
