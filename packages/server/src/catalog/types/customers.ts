import { def } from "../entry.ts";
import { customer, paymentMethod } from "../objects/customers.ts";
import { dispute } from "../objects/disputes.ts";
import { CustomerSchema, PaymentMethodSchema } from "../schemas/customers.ts";
import { DisputeSchema } from "../schemas/disputes.ts";

const Cus = CustomerSchema;
const PM = PaymentMethodSchema;

export const CUSTOMER_TYPES = {
  "customer.created": def("A customer was created.", Cus, (s) => ({
    object: customer(s, { invoice_settings: { default_payment_method: null } }),
  })),
  "customer.updated": def("A customer's details changed.", Cus, (s) => ({
    object: customer(s),
    previous_attributes: { email: "jenny@old.example.com" },
  })),
  "customer.deleted": def("A customer was deleted.", Cus, (s) => ({ object: customer(s) })),
  "payment_method.attached": def("A payment method was attached to a customer.", PM, (s) => ({
    object: paymentMethod(s),
  })),
  "payment_method.detached": def("A payment method was detached.", PM, (s) => ({
    object: paymentMethod(s, { customer: null }),
  })),
  "payment_method.updated": def("A payment method's details changed.", PM, (s) => ({
    object: paymentMethod(s),
    previous_attributes: { billing_details: { name: "J. Rosen" } },
  })),
  "payment_method.automatically_updated": def(
    "The card network sent new card details (new expiry or number).",
    PM,
    (s) => ({ object: paymentMethod(s), previous_attributes: { card: { exp_year: 2026 } } }),
  ),
};

export const DISPUTE_TYPES = {
  "charge.dispute.created": def("A customer disputed a charge.", DisputeSchema, (s) => ({
    object: dispute(s),
  })),
  "charge.dispute.updated": def(
    "A dispute changed (evidence was submitted).",
    DisputeSchema,
    (s) => ({
      object: dispute(s, {
        evidence_details: { due_by: s.now + 6 * 86_400, has_evidence: true, submission_count: 1 },
        status: "under_review",
      }),
      previous_attributes: { status: "needs_response" },
    }),
  ),
  "charge.dispute.closed": def(
    "A dispute was decided: won, lost or accepted.",
    DisputeSchema,
    (s) => ({
      object: dispute(s, {
        evidence_details: { due_by: null, has_evidence: true, submission_count: 1 },
        status: "lost",
      }),
      previous_attributes: { status: "under_review" },
    }),
  ),
  "charge.dispute.funds_withdrawn": def(
    "The disputed amount left your balance.",
    DisputeSchema,
    (s) => ({
      object: dispute(s, {
        balance_transactions: [{ id: `txn_${s.dispute.slice(3)}`, amount: -s.amount }],
      }),
    }),
  ),
  "charge.dispute.funds_reinstated": def(
    "A won dispute's amount came back.",
    DisputeSchema,
    (s) => ({
      object: dispute(s, { status: "won" }),
    }),
  ),
};
