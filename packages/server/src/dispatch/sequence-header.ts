import type { ClaimedDelivery } from "../store/types.ts";

/**
 * `Hookline-Sequence: <key>:<n>` on a keyed delivery (docs/ordering.md): the event's ordering
 * key, percent-encoded as by encodeURIComponent so any key fits a header, and the delivery's
 * place in the key's sequence from 1. A receiver keeps the highest n it handled per key and
 * drops lower ones (@hookline/webhooks `isStale`). Unkeyed deliveries carry none.
 */
export function sequenceHeader(
  delivery: Pick<ClaimedDelivery, "orderingKey" | "sequence">,
): Record<string, string> | undefined {
  if (delivery.orderingKey === null || delivery.sequence === null) return undefined;
  return {
    "hookline-sequence": `${encodeURIComponent(delivery.orderingKey)}:${delivery.sequence}`,
  };
}
