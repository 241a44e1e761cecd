import { matchesEventType } from "../domain/match.ts";
import type { EndpointRow, Store } from "../store/types.ts";

/**
 * The endpoints of each tenant (enabled and disabled), kept between events: reading and decoding them for
 * every event was 4% of the server's CPU in the delivery benchmark. The API invalidates a
 * tenant's entry on every endpoint write and the dispatcher after it disables an endpoint;
 * the time limit bounds staleness for writes made by anything else.
 */
export interface EndpointCache {
  ofTenant(tenantId: string): Promise<EndpointRow[]>;
  /**
   * The tenant's endpoints subscribed to `type`, matched once per type and kept with the
   * tenant's entry (so forgotten with it): a tenant with many endpoints matched each of them
   * against every event's type.
   */
  matching(tenantId: string, type: string): Promise<readonly EndpointRow[]>;
  invalidate(tenantId: string): void;
  /** Forgets every tenant's entry (an endpoint was disabled by the dispatcher). */
  invalidateAll(): void;
}

interface Entry {
  rows: EndpointRow[];
  byType: Map<string, EndpointRow[]>;
  until: number;
}

/** Distinct types matched per tenant entry at most; past it, matching is not kept. */
const MAX_TYPES = 1000;

export function createEndpointCache(
  store: Store,
  options: { ttlMs?: number; clock?: () => number } = {},
): EndpointCache {
  const ttlMs = options.ttlMs ?? 1000;
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  async function entryOf(tenantId: string): Promise<Entry> {
    const hit = entries.get(tenantId);
    if (hit !== undefined && hit.until > clock()) return hit;
    const rows = await store.tenantEndpoints(tenantId);
    const entry = { rows, byType: new Map(), until: clock() + ttlMs };
    entries.set(tenantId, entry);
    return entry;
  }
  return {
    async ofTenant(tenantId) {
      return (await entryOf(tenantId)).rows;
    },
    async matching(tenantId, type) {
      const entry = await entryOf(tenantId);
      const known = entry.byType.get(type);
      if (known !== undefined) return known;
      const matched = entry.rows.filter((e) => matchesEventType(e.enabledEvents, type));
      if (entry.byType.size < MAX_TYPES) entry.byType.set(type, matched);
      return matched;
    },
    invalidate(tenantId) {
      entries.delete(tenantId);
    },
    invalidateAll() {
      entries.clear();
    },
  };
}
