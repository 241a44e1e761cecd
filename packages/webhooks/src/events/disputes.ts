import type { ApiObject, Metadata, Timestamp } from "./common.ts";

export interface Dispute extends ApiObject<"dispute"> {
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string | null;
  reason: string;
  status:
    | "warning_needs_response"
    | "warning_under_review"
    | "warning_closed"
    | "needs_response"
    | "under_review"
    | "won"
    | "lost";
  evidence_details: { due_by: Timestamp | null; has_evidence: boolean; submission_count: number };
  is_charge_refundable: boolean;
  created: Timestamp;
  metadata: Metadata;
}

/** Dispute events: `charge.dispute.*`. */
export interface DisputeEventObjects {
  "charge.dispute.created": Dispute;
  "charge.dispute.updated": Dispute;
  "charge.dispute.closed": Dispute;
  "charge.dispute.funds_withdrawn": Dispute;
  "charge.dispute.funds_reinstated": Dispute;
}
