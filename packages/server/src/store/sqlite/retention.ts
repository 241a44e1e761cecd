import type Database from "better-sqlite3";
import { rollupCutoff } from "../rollups.ts";
import type { PruneBatch } from "../types.ts";
import { LIMIT_PARAM } from "./limit.ts";
import { rollupQueries } from "./rollups.ts";

interface ExaminedEvent {
  seq: number;
  id: string;
  tenant_id: string;
  idempotency_key: string | null;
  created_at: number;
  open: 0 | 1;
}

// The idempotency operation ingest records event keys under (ingest/create-event.ts).
const EVENT_KEYS = "events.create";

/**
 * Retention, one batch per call. A batch examines at most `limit` events after the cursor, in
 * `seq` order: a walk of the rowid, never a scan, however many events a pass keeps. `seq` is
 * assigned at commit, so it follows `created_at` (to the millisecond an ingest batch spans);
 * the walk ends at the first event of the window. An event with a delivery still `pending` or
 * `in_flight` is work to be done and is kept; any other status (succeeded, failed, cancelled,
 * skipped) is finished. The first batch of a pass also deletes the charts' rollups of minutes
 * before the cutoff's.
 */
export function retentionQueries(db: Database.Database) {
  const rollups = rollupQueries(db);
  const examine = db.prepare(`
    SELECT seq, id, tenant_id, idempotency_key, created_at,
      EXISTS (SELECT 1 FROM deliveries d
              WHERE d.event_id = events.id AND d.status IN ('pending', 'in_flight')) AS open
    FROM events WHERE seq > ? ORDER BY seq ${LIMIT_PARAM}`);
  // Children first: the foreign keys (attempts → deliveries → events) are enforced. Each
  // statement walks an index: attempts_delivery, deliveries_event, the event id.
  const deleteAttempts = db.prepare(`
    DELETE FROM attempts WHERE delivery_id IN (
      SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?)))`);
  const deleteDeliveries = db.prepare(
    "DELETE FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))",
  );
  const deleteEvents = db.prepare(
    "DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))",
  );
  // An event's key goes with the event, never before it: ingest answers a replayed key by
  // reading the event the key points to, and a missing one is a 500.
  const deleteEventKey = db.prepare(
    `DELETE FROM idempotency_keys WHERE tenant_id = ? AND operation = '${EVENT_KEYS}' AND key = ? AND resource_id = ?`,
  );
  // The other keys (endpoint creates: as many as endpoints) go by age. Two primary-key ranges,
  // either side of the event keys, so this never reads the event keys, which can be millions.
  const deleteOtherKeys = db.prepare(`
    DELETE FROM idempotency_keys WHERE rowid IN (
      SELECT k.rowid FROM tenants t CROSS JOIN idempotency_keys k
        ON k.tenant_id = t.id AND k.operation < '${EVENT_KEYS}' WHERE k.created_at < :cutoff
      UNION ALL
      SELECT k.rowid FROM tenants t CROSS JOIN idempotency_keys k
        ON k.tenant_id = t.id AND k.operation > '${EVENT_KEYS}' WHERE k.created_at < :cutoff)`);

  const batch = db.transaction((cutoff: number, limit: number, after: number | undefined) => {
    const result: PruneBatch = {
      events: 0,
      deliveries: 0,
      attempts: 0,
      idempotencyKeys: 0,
      next: undefined,
    };
    // Once per pass, at its first batch.
    if (after === undefined) {
      result.idempotencyKeys += deleteOtherKeys.run({ cutoff }).changes;
      rollups.prune(rollupCutoff(cutoff));
    }
    const examined = examine.all(after ?? 0, limit) as ExaminedEvent[];
    const prunable: ExaminedEvent[] = [];
    let reachedWindow = false;
    for (const event of examined) {
      if (event.created_at >= cutoff) {
        reachedWindow = true;
        break;
      }
      if (event.open === 0) prunable.push(event);
    }
    if (prunable.length > 0) {
      const ids = JSON.stringify(prunable.map((e) => e.id));
      result.attempts = deleteAttempts.run(ids).changes;
      result.deliveries = deleteDeliveries.run(ids).changes;
      result.events = deleteEvents.run(ids).changes;
      for (const e of prunable) {
        if (e.idempotency_key === null) continue;
        result.idempotencyKeys += deleteEventKey.run(e.tenant_id, e.idempotency_key, e.id).changes;
      }
    }
    if (!reachedWindow && examined.length === limit) result.next = examined.at(-1)!.seq;
    return result;
  });

  return {
    /** Not `durably`: nothing is acknowledged, and a lost prune is simply done again. */
    prune: (cutoff: number, options: { limit: number; after?: number | undefined }) =>
      batch.immediate(cutoff, options.limit, options.after),
  };
}
