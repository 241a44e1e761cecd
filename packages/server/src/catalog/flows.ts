import type { CatalogType, EVENT_TYPES } from "./catalog.ts";
import type { EventData } from "./entry.ts";
import { failedInvoice, invoice, subscription } from "./objects/billing.ts";
import { declinedCharge } from "./objects/payments.ts";
import { DAY, type Scenario } from "./scenario.ts";

/** One event of a flow: its type, and its data when the flow's moment differs from the fixture. */
export interface FlowStep {
  type: CatalogType;
  data?: (s: Scenario) => EventData<unknown>;
}

export interface Flow {
  description: string;
  steps: FlowStep[];
}

type ObjectOf<K extends CatalogType> = ReturnType<(typeof EVENT_TYPES)[K]["fixture"]>["object"];

/** A step; `data`, when given, must build the same type of object as the type's own fixture. */
const step = <K extends CatalogType>(
  type: K,
  data?: (s: Scenario) => EventData<ObjectOf<K>>,
): FlowStep => (data === undefined ? { type } : { type, data });

/**
 * Stories told in the order Stripe sends their events. Names have no dot, so a name on the
 * command line is a flow or an event type, never both.
 */
export const FLOWS: Record<string, Flow> = {
  "payment-succeeded": {
    description: "A card payment that goes through.",
    steps: [
      step("payment_intent.created"),
      step("charge.succeeded"),
      step("payment_intent.succeeded"),
    ],
  },
  "payment-failed": {
    description: "A card payment the bank declines.",
    steps: [
      step("payment_intent.created"),
      step("charge.failed"),
      step("payment_intent.payment_failed"),
    ],
  },
  "renewal-succeeded": {
    description: "A monthly renewal that is paid.",
    steps: [
      step("invoice.created"),
      step("invoice.finalized"),
      step("charge.succeeded"),
      step("invoice.paid"),
      step("invoice.payment_succeeded"),
    ],
  },
  "renewal-failed": {
    description: "A monthly renewal whose card is declined: the subscription goes past_due.",
    steps: [
      step("invoice.created"),
      step("invoice.finalized"),
      step("charge.failed", (s) => ({ object: { ...declinedCharge(s), invoice: s.invoice } })),
      step("invoice.payment_failed", (s) => ({ object: failedInvoice(s) })),
      step("customer.subscription.updated", (s) => ({
        object: subscription(s, { status: "past_due" }),
        previous_attributes: { status: "active" },
      })),
    ],
  },
  "subscription-created": {
    description: "A new customer subscribes and pays the first invoice.",
    steps: [
      step("customer.created"),
      step("payment_method.attached"),
      step("customer.subscription.created"),
      step("invoice.created", (s) => ({
        object: invoice(s, {
          billing_reason: "subscription_create",
          period_start: s.now,
          period_end: s.now + 30 * DAY,
        }),
      })),
      step("invoice.paid"),
      step("customer.subscription.updated"),
    ],
  },
  "subscription-canceled": {
    description: "A customer cancels at period end; the subscription ends.",
    steps: [
      step("customer.subscription.updated", (s) => ({
        object: subscription(s, {
          cancel_at: s.now,
          cancel_at_period_end: true,
          canceled_at: s.now - DAY,
        }),
        previous_attributes: { cancel_at: null, cancel_at_period_end: false, canceled_at: null },
      })),
      step("customer.subscription.deleted"),
    ],
  },
  "dispute-lost": {
    description: "A charge is disputed as fraud, evidence is submitted, the dispute is lost.",
    steps: [
      step("charge.dispute.created"),
      step("charge.dispute.funds_withdrawn"),
      step("charge.dispute.updated"),
      step("charge.dispute.closed"),
    ],
  },
  refund: {
    description: "A payment refunded in full at the customer's request.",
    steps: [step("refund.created"), step("charge.refunded"), step("refund.updated")],
  },
};

export const findFlow = (name: string): Flow | undefined =>
  Object.hasOwn(FLOWS, name) ? FLOWS[name] : undefined;
