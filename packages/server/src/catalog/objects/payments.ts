import type { Charge, PaymentIntent, Refund } from "@hookline/webhooks";
import type { Scenario } from "../scenario.ts";

// The objects of a card payment, as Stripe's API version 2024-06 sends them (the fields that
// receivers act on; Stripe sends more, and receivers must tolerate that).

export function paymentIntent(s: Scenario, fields: Partial<PaymentIntent> = {}): PaymentIntent {
  return {
    id: s.paymentIntent,
    object: "payment_intent",
    amount: s.amount,
    amount_capturable: 0,
    amount_received: s.amount,
    capture_method: "automatic_async",
    client_secret: `${s.paymentIntent}_secret_${s.charge.slice(-24)}`,
    currency: s.currency,
    customer: s.customer,
    created: s.now - 5,
    description: "Order #1042",
    invoice: null,
    last_payment_error: null,
    latest_charge: s.charge,
    livemode: false,
    metadata: { order_id: "1042" },
    payment_method: s.paymentMethod,
    payment_method_types: ["card"],
    receipt_email: s.email,
    status: "succeeded",
    ...fields,
  };
}

export function charge(s: Scenario, fields: Partial<Charge> = {}): Charge {
  return {
    id: s.charge,
    object: "charge",
    amount: s.amount,
    amount_captured: s.amount,
    amount_refunded: 0,
    balance_transaction: `txn_${s.charge.slice(3)}`,
    billing_details: { email: s.email, name: s.name },
    captured: true,
    created: s.now - 3,
    currency: s.currency,
    customer: s.customer,
    description: "Order #1042",
    disputed: false,
    failure_code: null,
    failure_message: null,
    invoice: null,
    livemode: false,
    metadata: { order_id: "1042" },
    outcome: { network_status: "approved_by_network", risk_level: "normal", type: "authorized" },
    paid: true,
    payment_intent: s.paymentIntent,
    payment_method: s.paymentMethod,
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242" } },
    receipt_url: `https://pay.stripe.com/receipts/payment/${s.charge.slice(3)}`,
    refunded: false,
    status: "succeeded",
    ...fields,
  };
}

/** The decline Stripe's test card 4000 0000 0000 0002 produces. */
export const CARD_DECLINED = {
  type: "card_error",
  code: "card_declined",
  decline_code: "generic_decline",
  message: "Your card was declined.",
};

export function declinedCharge(s: Scenario): Charge {
  return charge(s, {
    amount_captured: 0,
    captured: false,
    failure_code: CARD_DECLINED.code,
    failure_message: CARD_DECLINED.message,
    outcome: {
      network_status: "declined_by_network",
      reason: "generic_decline",
      type: "issuer_declined",
    },
    paid: false,
    receipt_url: null,
    status: "failed",
  });
}

export function refund(s: Scenario, fields: Partial<Refund> = {}): Refund {
  return {
    id: s.refund,
    object: "refund",
    amount: s.amount,
    balance_transaction: `txn_${s.refund.slice(3)}`,
    charge: s.charge,
    created: s.now - 1,
    currency: s.currency,
    metadata: {},
    payment_intent: s.paymentIntent,
    reason: "requested_by_customer",
    status: "succeeded",
    ...fields,
  };
}
