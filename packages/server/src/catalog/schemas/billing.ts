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

const PriceSchema = Type.Object({
  id: Id("price"),
  object: Type.Literal("price"),
  currency: Currency,
  unit_amount: Nullable(Amount),
  recurring: Nullable(
    Type.Object({
      interval: Literals("day", "week", "month", "year"),
      interval_count: Type.Integer({ minimum: 1 }),
    }),
  ),
  product: Id("prod"),
});

const SubscriptionItemSchema = Type.Object({
  id: Id("si"),
  object: Type.Literal("subscription_item"),
  price: PriceSchema,
  quantity: Type.Optional(Type.Integer({ minimum: 0 })),
  current_period_start: Type.Optional(Timestamp),
  current_period_end: Type.Optional(Timestamp),
});

export const SubscriptionSchema = Type.Object(
  {
    ...objectBase("sub", "subscription"),
    status: Literals(
      "incomplete",
      "incomplete_expired",
      "trialing",
      "active",
      "past_due",
      "canceled",
      "unpaid",
      "paused",
    ),
    customer: Expandable("cus", "customer"),
    items: Type.Object({
      object: Type.Literal("list"),
      data: Type.Array(SubscriptionItemSchema),
      has_more: Type.Boolean(),
    }),
    cancel_at_period_end: Type.Boolean(),
    cancel_at: Nullable(Timestamp),
    canceled_at: Nullable(Timestamp),
    ended_at: Nullable(Timestamp),
    trial_end: Nullable(Timestamp),
    latest_invoice: Nullable(Id("in")),
    created: Timestamp,
    metadata: Metadata,
  },
  { title: "Subscription" },
);

export const InvoiceSchema = Type.Object(
  {
    ...objectBase("in", "invoice"),
    // Upcoming invoices (previews) have ids of their own kind.
    id: Type.String({ pattern: "^(upcoming_)?in_[A-Za-z0-9]+$" }),
    status: Nullable(Literals("draft", "open", "paid", "uncollectible", "void")),
    customer: Nullable(Expandable("cus", "customer")),
    customer_email: Nullable(Type.String()),
    subscription: Type.Optional(Nullable(Id("sub"))),
    amount_due: Amount,
    amount_paid: Amount,
    amount_remaining: Amount,
    currency: Currency,
    attempt_count: Type.Integer({ minimum: 0 }),
    next_payment_attempt: Nullable(Timestamp),
    hosted_invoice_url: Type.Optional(Nullable(Type.String())),
    billing_reason: Nullable(Type.String()),
    period_start: Timestamp,
    period_end: Timestamp,
    created: Timestamp,
    metadata: Nullable(Metadata),
  },
  { title: "Invoice" },
);
