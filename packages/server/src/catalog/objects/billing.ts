import type { Invoice, Price, Subscription } from "@hookline/webhooks";
import { DAY, type Scenario } from "../scenario.ts";

// A monthly subscription and its invoices. The current period ends at `now`: renewal events
// are about the invoice that opens the next period.

const PERIOD = 30 * DAY;

export function price(s: Scenario): Price {
  return {
    id: s.price,
    object: "price",
    active: true,
    currency: s.currency,
    nickname: "Pro monthly",
    product: s.product,
    recurring: { interval: "month", interval_count: 1 },
    type: "recurring",
    unit_amount: s.amount,
  };
}

export function subscription(s: Scenario, fields: Partial<Subscription> = {}): Subscription {
  const start = s.now - PERIOD;
  return {
    id: s.subscription,
    object: "subscription",
    billing_cycle_anchor: start,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    collection_method: "charge_automatically",
    created: start,
    currency: s.currency,
    customer: s.customer,
    default_payment_method: s.paymentMethod,
    ended_at: null,
    items: {
      object: "list",
      data: [
        {
          id: s.subscriptionItem,
          object: "subscription_item",
          current_period_end: s.now,
          current_period_start: start,
          price: price(s),
          quantity: 1,
        },
      ],
      has_more: false,
    },
    latest_invoice: s.invoice,
    livemode: false,
    metadata: { plan: "pro" },
    start_date: start,
    status: "active",
    trial_end: null,
    ...fields,
  };
}

/** The renewal invoice: created at the end of the period, for the next one. */
export function invoice(s: Scenario, fields: Partial<Invoice> = {}): Invoice {
  return {
    id: s.invoice,
    object: "invoice",
    account_country: "US",
    amount_due: s.amount,
    amount_paid: 0,
    amount_remaining: s.amount,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    billing_reason: "subscription_cycle",
    collection_method: "charge_automatically",
    created: s.now,
    currency: s.currency,
    customer: s.customer,
    customer_email: s.email,
    customer_name: s.name,
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_${s.invoice.slice(3)}`,
    livemode: false,
    metadata: {},
    next_payment_attempt: s.now + 3600,
    number: "F3A1B2C4-0007",
    period_end: s.now,
    period_start: s.now - PERIOD,
    status: "draft",
    subscription: s.subscription,
    total: s.amount,
    ...fields,
  };
}

/** The invoice once its payment went through. */
export const paidInvoice = (s: Scenario) =>
  invoice(s, {
    amount_paid: s.amount,
    amount_remaining: 0,
    attempt_count: 1,
    attempted: true,
    charge: s.charge,
    next_payment_attempt: null,
    payment_intent: s.paymentIntent,
    status: "paid",
    status_transitions: { finalized_at: s.now, paid_at: s.now + 3600 },
  });

/** The invoice after its first payment attempt was declined: Smart Retries try again in 3 days. */
export const failedInvoice = (s: Scenario) =>
  invoice(s, {
    attempt_count: 1,
    attempted: true,
    charge: s.charge,
    next_payment_attempt: s.now + 3 * DAY,
    payment_intent: s.paymentIntent,
    status: "open",
  });
