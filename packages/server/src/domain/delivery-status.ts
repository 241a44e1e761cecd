/**
 * A delivery's states. pending → (claimed: in_flight) → succeeded | pending again (retry) |
 * failed (schedule exhausted, or not retryable) ; cancelled when its endpoint is deleted;
 * skipped when its endpoint is disabled (recorded, never attempted, recoverable).
 */
export const DeliveryStatus = {
  pending: "pending",
  inFlight: "in_flight",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  skipped: "skipped",
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

export const DELIVERY_STATUSES = Object.values(DeliveryStatus);
