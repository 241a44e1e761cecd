import { def } from "../entry.ts";
import {
  CARD_DECLINED,
  charge,
  declinedCharge,
  paymentIntent,
  refund,
} from "../objects/payments.ts";
import { ChargeSchema, PaymentIntentSchema, RefundSchema } from "../schemas/payments.ts";

const PI = PaymentIntentSchema;
const unpaid = { amount_received: 0, latest_charge: null } as const;

export const PAYMENT_TYPES = {
  "payment_intent.created": def("A PaymentIntent was created.", PI, (s) => ({
    object: paymentIntent(s, {
      ...unpaid,
      status: "requires_payment_method",
      payment_method: null,
    }),
  })),
  "payment_intent.processing": def("A PaymentIntent started processing.", PI, (s) => ({
    object: paymentIntent(s, { ...unpaid, status: "processing" }),
  })),
  "payment_intent.requires_action": def(
    "A PaymentIntent needs the customer to act (3-D Secure).",
    PI,
    (s) => ({
      object: paymentIntent(s, {
        ...unpaid,
        status: "requires_action",
        next_action: { type: "use_stripe_sdk" },
      }),
    }),
  ),
  "payment_intent.amount_capturable_updated": def(
    "A PaymentIntent was authorized and can be captured.",
    PI,
    (s) => ({
      object: paymentIntent(s, {
        ...unpaid,
        amount_capturable: s.amount,
        capture_method: "manual",
        status: "requires_capture",
      }),
    }),
  ),
  "payment_intent.partially_funded": def(
    "A bank transfer paid part of a PaymentIntent.",
    PI,
    (s) => ({
      object: paymentIntent(s, {
        ...unpaid,
        amount_received: s.amount / 2,
        payment_method_types: ["customer_balance"],
        status: "requires_payment_method",
      }),
    }),
  ),
  "payment_intent.succeeded": def("A PaymentIntent was paid in full.", PI, (s) => ({
    object: paymentIntent(s),
  })),
  "payment_intent.payment_failed": def("A payment attempt failed.", PI, (s) => ({
    object: paymentIntent(s, {
      amount_received: 0,
      last_payment_error: { ...CARD_DECLINED, charge: s.charge },
      status: "requires_payment_method",
    }),
  })),
  "payment_intent.canceled": def("A PaymentIntent was canceled.", PI, (s) => ({
    object: paymentIntent(s, {
      ...unpaid,
      canceled_at: s.now,
      cancellation_reason: "abandoned",
      status: "canceled",
    }),
  })),
  "charge.pending": def("A charge is pending (bank debits).", ChargeSchema, (s) => ({
    object: charge(s, { amount_captured: 0, paid: false, status: "pending" }),
  })),
  "charge.succeeded": def("A charge succeeded.", ChargeSchema, (s) => ({ object: charge(s) })),
  "charge.failed": def("A charge was declined.", ChargeSchema, (s) => ({
    object: declinedCharge(s),
  })),
  "charge.captured": def("An authorized charge was captured.", ChargeSchema, (s) => ({
    object: charge(s),
    previous_attributes: { amount_captured: 0, captured: false },
  })),
  "charge.expired": def("An uncaptured charge expired after 7 days.", ChargeSchema, (s) => ({
    object: charge(s, { amount_captured: 0, captured: false, status: "failed" }),
  })),
  "charge.updated": def("A charge's description or metadata changed.", ChargeSchema, (s) => ({
    object: charge(s, { description: "Order #1042 (gift)" }),
    previous_attributes: { description: "Order #1042" },
  })),
  "charge.refunded": def("A charge was refunded, in full or in part.", ChargeSchema, (s) => ({
    object: charge(s, { amount_refunded: s.amount, refunded: true }),
    previous_attributes: { amount_refunded: 0, refunded: false },
  })),
  "charge.refund.updated": def("A refund of a charge changed.", RefundSchema, (s) => ({
    object: refund(s, { metadata: { ticket: "SUP-2291" } }),
    previous_attributes: { metadata: {} },
  })),
  "refund.created": def("A refund was created.", RefundSchema, (s) => ({
    object: refund(s, { status: "pending" }),
  })),
  "refund.updated": def("A refund changed (it succeeded).", RefundSchema, (s) => ({
    object: refund(s),
    previous_attributes: { status: "pending" },
  })),
  "refund.failed": def("A refund failed: the money stays with you.", RefundSchema, (s) => ({
    object: refund(s, { failure_reason: "expired_or_canceled_card", status: "failed" }),
  })),
};
