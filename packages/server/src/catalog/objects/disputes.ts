import type { Dispute } from "@hookline/webhooks";
import { DAY, type Scenario } from "../scenario.ts";

/** A fraud dispute on the scenario's charge, opened a week after the payment. */
export function dispute(s: Scenario, fields: Partial<Dispute> = {}): Dispute {
  return {
    id: s.dispute,
    object: "dispute",
    amount: s.amount,
    balance_transactions: [],
    charge: s.charge,
    created: s.now - 2,
    currency: s.currency,
    evidence_details: {
      due_by: s.now + 7 * DAY,
      has_evidence: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: "10.4",
    payment_intent: s.paymentIntent,
    reason: "fraudulent",
    status: "needs_response",
    ...fields,
  };
}
