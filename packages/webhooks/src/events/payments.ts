import type { ApiObject, Expandable, LastError, Metadata, Timestamp } from "./common.ts";
import type { Customer } from "./customers.ts";

export interface PaymentIntent extends ApiObject<"payment_intent"> {
  amount: number;
  amount_received: number;
  amount_capturable?: number;
  currency: string;
  status:
    | "requires_payment_method"
    | "requires_confirmation"
    | "requires_action"
    | "processing"
    | "requires_capture"
    | "canceled"
    | "succeeded";
  customer: Expandable<Customer> | null;
  created: Timestamp;
  description?: string | null;
  invoice?: string | null;
  latest_charge: string | null;
  last_payment_error: LastError | null;
  cancellation_reason?: string | null;
  metadata: Metadata;
  payment_method: string | null;
  receipt_email?: string | null;
}

export interface Charge extends ApiObject<"charge"> {
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  status: "succeeded" | "pending" | "failed";
  paid: boolean;
  captured: boolean;
  refunded: boolean;
  disputed: boolean;
  customer: Expandable<Customer> | null;
  payment_intent: string | null;
  invoice?: string | null;
  created: Timestamp;
  failure_code: string | null;
  failure_message: string | null;
  receipt_url?: string | null;
  metadata: Metadata;
}

export interface Refund extends ApiObject<"refund"> {
  amount: number;
  currency: string;
  charge: string | null;
  payment_intent: string | null;
  reason: "duplicate" | "fraudulent" | "requested_by_customer" | "expired_uncaptured_charge" | null;
  status: "pending" | "requires_action" | "succeeded" | "failed" | "canceled" | null;
  failure_reason?: string | null;
  created: Timestamp;
  metadata: Metadata | null;
}

/** Payment events: `payment_intent.*`, `charge.*` (disputes aside), `refund.*`. */
export interface PaymentEventObjects {
  "payment_intent.created": PaymentIntent;
  "payment_intent.processing": PaymentIntent;
  "payment_intent.requires_action": PaymentIntent;
  "payment_intent.amount_capturable_updated": PaymentIntent;
  "payment_intent.partially_funded": PaymentIntent;
  "payment_intent.succeeded": PaymentIntent;
  "payment_intent.payment_failed": PaymentIntent;
  "payment_intent.canceled": PaymentIntent;
  "charge.pending": Charge;
  "charge.succeeded": Charge;
  "charge.failed": Charge;
  "charge.captured": Charge;
  "charge.expired": Charge;
  "charge.updated": Charge;
  "charge.refunded": Charge;
  "charge.refund.updated": Refund;
  "refund.created": Refund;
  "refund.updated": Refund;
  "refund.failed": Refund;
}
