import type { ApiObject, Expandable, Metadata, Timestamp } from "./common.ts";
import type { Customer } from "./customers.ts";

export interface Price {
  id: string;
  object: "price";
  currency: string;
  unit_amount: number | null;
  recurring: { interval: "day" | "week" | "month" | "year"; interval_count: number } | null;
  product: string;
  [field: string]: unknown;
}

export interface SubscriptionItem {
  id: string;
  object: "subscription_item";
  price: Price;
  quantity?: number;
  current_period_start?: Timestamp;
  current_period_end?: Timestamp;
  [field: string]: unknown;
}

export interface Subscription extends ApiObject<"subscription"> {
  status:
    | "incomplete"
    | "incomplete_expired"
    | "trialing"
    | "active"
    | "past_due"
    | "canceled"
    | "unpaid"
    | "paused";
  customer: Expandable<Customer>;
  items: { object: "list"; data: SubscriptionItem[]; has_more: boolean };
  cancel_at_period_end: boolean;
  cancel_at: Timestamp | null;
  canceled_at: Timestamp | null;
  ended_at: Timestamp | null;
  trial_end: Timestamp | null;
  latest_invoice: string | null;
  created: Timestamp;
  metadata: Metadata;
}

export interface Invoice extends ApiObject<"invoice"> {
  status: "draft" | "open" | "paid" | "uncollectible" | "void" | null;
  customer: Expandable<Customer> | null;
  customer_email: string | null;
  subscription?: string | null;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  currency: string;
  attempt_count: number;
  next_payment_attempt: Timestamp | null;
  hosted_invoice_url?: string | null;
  billing_reason: string | null;
  period_start: Timestamp;
  period_end: Timestamp;
  created: Timestamp;
  metadata: Metadata | null;
}

/** Subscription and billing events: `customer.subscription.*`, `invoice.*`. */
export interface BillingEventObjects {
  "customer.subscription.created": Subscription;
  "customer.subscription.updated": Subscription;
  "customer.subscription.deleted": Subscription;
  "customer.subscription.paused": Subscription;
  "customer.subscription.resumed": Subscription;
  "customer.subscription.trial_will_end": Subscription;
  "customer.subscription.pending_update_applied": Subscription;
  "customer.subscription.pending_update_expired": Subscription;
  "invoice.created": Invoice;
  "invoice.updated": Invoice;
  "invoice.deleted": Invoice;
  "invoice.finalized": Invoice;
  "invoice.finalization_failed": Invoice;
  "invoice.sent": Invoice;
  "invoice.upcoming": Invoice;
  "invoice.paid": Invoice;
  "invoice.payment_succeeded": Invoice;
  "invoice.payment_failed": Invoice;
  "invoice.payment_action_required": Invoice;
  "invoice.marked_uncollectible": Invoice;
  "invoice.overdue": Invoice;
  "invoice.voided": Invoice;
}
