import type Database from "better-sqlite3";
import type { DeliveryRow } from "../types.ts";
import { type DeliveryRecord, toDelivery } from "./rows.ts";

/**
 * Everything that makes deliveries due again without an attempt: recovery after an outage, an
 * event resent by hand, deliveries a node gives back (circuit open, queue full), an
 * endpoint's backlog deferred while its circuit is open, and a listen session's backlog resumed
 * when its listener connects.
 */
// Due in creation order: rows with one due time are claimed in index order, which is seq.
// Reads deliveries_endpoint_parked (migration 0014; test/list-plans.test.ts holds it).
export const RECOVER = `
    UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
    WHERE tenant_id = ? AND endpoint_id = ? AND status IN ('failed', 'skipped')
      AND created_at >= ? AND created_at <= ?`;

export function requeueQueries(db: Database.Database) {
  const recover = db.prepare(RECOVER);
  const ofEvent = db.prepare("SELECT * FROM deliveries WHERE event_id = ? ORDER BY seq");
  const eventExists = db.prepare("SELECT 1 FROM events WHERE tenant_id = ? AND id = ?");
  const endpointOf = db.prepare("SELECT status FROM endpoints WHERE tenant_id = ? AND id = ?");
  const resend = db.prepare(`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
    WHERE event_id = ? AND status IN ('succeeded', 'failed', 'skipped') AND (? IS NULL OR endpoint_id = ?)
      AND endpoint_id IN (SELECT id FROM endpoints WHERE status = 'enabled')`);
  const insert = db.prepare(
    "INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
  );
  const release = db.prepare(`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND status = 'in_flight' AND lease_owner = ?`);
  const defer = db.prepare(`
    UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
    WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at < ?`);
  // Served by deliveries_endpoint_open (endpoint_id, status, …).
  const resume = db.prepare(`
    UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
    WHERE endpoint_id = ? AND status = 'pending'`);

  const retryEvent = db.transaction(
    (input: {
      tenantId: string;
      eventId: string;
      endpointId: string | undefined;
      newDeliveryId: string;
      now: number;
    }): DeliveryRow[] | undefined => {
      const { tenantId, eventId, endpointId, now } = input;
      if (eventExists.get(tenantId, eventId) === undefined) return undefined;
      const endpoint = endpointId ?? null;
      resend.run(now, now, eventId, endpoint, endpoint);
      let rows = (ofEvent.all(eventId) as DeliveryRecord[]).map(toDelivery);
      if (endpointId !== undefined) {
        rows = rows.filter((d) => d.endpointId === endpointId);
        // Resending to an endpoint the event never went to (created later, or not subscribed)
        // is what an operator means by "send it there": create that delivery.
        if (rows.length === 0 && endpointOf.get(tenantId, endpointId) !== undefined) {
          insert.run(input.newDeliveryId, tenantId, eventId, endpointId, now, now, now);
          rows = (ofEvent.all(eventId) as DeliveryRecord[])
            .map(toDelivery)
            .filter((d) => d.endpointId === endpointId);
        }
      }
      return rows;
    },
  );

  return {
    recover: (input: {
      tenantId: string;
      endpointId: string;
      since: number;
      until: number;
      now: number;
    }) =>
      recover.run(input.now, input.now, input.tenantId, input.endpointId, input.since, input.until)
        .changes,
    retryEvent: (input: Parameters<typeof retryEvent>[0]) => retryEvent.immediate(input),
    release: (ids: readonly string[], owner: string, dueAt: number, now: number) =>
      ids.length === 0 ? 0 : release.run(dueAt, now, JSON.stringify(ids), owner).changes,
    defer: (endpointId: string, until: number, now: number) =>
      defer.run(until, now, endpointId, until).changes,
    resume: (endpointId: string, now: number) => resume.run(now, now, endpointId).changes,
  };
}
