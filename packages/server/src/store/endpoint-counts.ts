import { DeliveryStatus } from "../domain/delivery-status.ts";

/**
 * What an endpoint's `failed` and `skipped` counts change by (migration 0013): the deliveries
 * recovery re-queues, kept where the health report reads them in one row.
 */
export interface CountsDelta {
  endpointId: string;
  failed: number;
  skipped: number;
}

/**
 * The counts added by deliveries inserted already failed or skipped (ingest to a disabled
 * endpoint), which no trigger sees: one delta per endpoint.
 */
export function countsAtInsert(
  deliveries: readonly { endpointId: string; status: string }[],
): CountsDelta[] {
  // Ingest calls this for every event; nearly all insert only pending deliveries.
  let byEndpoint: Map<string, CountsDelta> | undefined;
  for (const d of deliveries) {
    if (d.status !== DeliveryStatus.failed && d.status !== DeliveryStatus.skipped) continue;
    byEndpoint ??= new Map();
    let delta = byEndpoint.get(d.endpointId);
    if (delta === undefined) {
      delta = { endpointId: d.endpointId, failed: 0, skipped: 0 };
      byEndpoint.set(d.endpointId, delta);
    }
    if (d.status === DeliveryStatus.failed) delta.failed++;
    else delta.skipped++;
  }
  return byEndpoint === undefined ? [] : [...byEndpoint.values()];
}
