import { def } from "../entry.ts";
import { failedInvoice, invoice, paidInvoice, subscription } from "../objects/billing.ts";
import { DAY } from "../scenario.ts";
import { InvoiceSchema, SubscriptionSchema } from "../schemas/billing.ts";

const Sub = SubscriptionSchema;
const Inv = InvoiceSchema;
const open = { status: "open" } as const;

export const SUBSCRIPTION_TYPES = {
  "customer.subscription.created": def("A customer subscribed.", Sub, (s) => ({
    object: subscription(s, { status: "incomplete" }),
  })),
  "customer.subscription.updated": def(
    "A subscription changed: status, plan, quantity, cancellation.",
    Sub,
    (s) => ({ object: subscription(s), previous_attributes: { status: "incomplete" } }),
  ),
  "customer.subscription.deleted": def("A subscription ended.", Sub, (s) => ({
    object: subscription(s, {
      canceled_at: s.now - DAY,
      ended_at: s.now,
      status: "canceled",
      cancellation_details: { reason: "cancellation_requested", feedback: "too_expensive" },
    }),
  })),
  "customer.subscription.paused": def("A subscription was paused.", Sub, (s) => ({
    object: subscription(s, { pause_collection: null, status: "paused" }),
    previous_attributes: { status: "trialing" },
  })),
  "customer.subscription.resumed": def("A paused subscription resumed.", Sub, (s) => ({
    object: subscription(s),
    previous_attributes: { status: "paused" },
  })),
  "customer.subscription.trial_will_end": def("A trial ends in three days.", Sub, (s) => ({
    object: subscription(s, { status: "trialing", trial_end: s.now + 3 * DAY }),
  })),
  "customer.subscription.pending_update_applied": def(
    "A pending plan change was paid and applied.",
    Sub,
    (s) => ({
      object: subscription(s),
      previous_attributes: { pending_update: { expires_at: s.now + DAY } },
    }),
  ),
  "customer.subscription.pending_update_expired": def(
    "A pending plan change expired unpaid.",
    Sub,
    (s) => ({
      object: subscription(s),
      previous_attributes: { pending_update: { expires_at: s.now } },
    }),
  ),
};

export const INVOICE_TYPES = {
  "invoice.created": def(
    "An invoice was drafted (renewals: an hour before it is finalized).",
    Inv,
    (s) => ({
      object: invoice(s),
    }),
  ),
  "invoice.updated": def("An invoice changed.", Inv, (s) => ({
    object: invoice(s, { description: "Thanks for staying with us" }),
    previous_attributes: { description: null },
  })),
  "invoice.deleted": def("A draft invoice was deleted.", Inv, (s) => ({ object: invoice(s) })),
  "invoice.finalized": def("An invoice was finalized and can be paid.", Inv, (s) => ({
    object: invoice(s, open),
  })),
  "invoice.finalization_failed": def("An invoice could not be finalized.", Inv, (s) => ({
    object: invoice(s, {
      last_finalization_error: {
        type: "invalid_request_error",
        code: "customer_tax_location_invalid",
      },
    }),
  })),
  "invoice.sent": def("An invoice was emailed to the customer.", Inv, (s) => ({
    object: invoice(s, { ...open, collection_method: "send_invoice" }),
  })),
  "invoice.upcoming": def("A renewal invoice will be created in a few days.", Inv, (s) => ({
    object: invoice(s, { id: `upcoming_${s.invoice}`, status: "draft", created: s.now - 3 * DAY }),
  })),
  "invoice.paid": def("An invoice was paid (or marked paid).", Inv, (s) => ({
    object: paidInvoice(s),
  })),
  "invoice.payment_succeeded": def("An invoice's payment went through.", Inv, (s) => ({
    object: paidInvoice(s),
  })),
  "invoice.payment_failed": def("An invoice's payment was declined.", Inv, (s) => ({
    object: failedInvoice(s),
  })),
  "invoice.payment_action_required": def(
    "An invoice's payment needs the customer to authenticate.",
    Inv,
    (s) => ({ object: invoice(s, { ...open, attempt_count: 1, attempted: true }) }),
  ),
  "invoice.marked_uncollectible": def("An invoice was marked uncollectible.", Inv, (s) => ({
    object: invoice(s, {
      attempt_count: 4,
      attempted: true,
      next_payment_attempt: null,
      status: "uncollectible",
    }),
  })),
  "invoice.overdue": def("An invoice is past its due date.", Inv, (s) => ({
    object: invoice(s, { ...open, collection_method: "send_invoice", due_date: s.now - DAY }),
  })),
  "invoice.voided": def("An invoice was voided.", Inv, (s) => ({
    object: invoice(s, { next_payment_attempt: null, status: "void" }),
  })),
};
