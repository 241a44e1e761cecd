import type pg from "pg";
import type { DeliveryRow } from "../types.ts";
import { lockCounts, lockCountsOf } from "./endpoint-counts.ts";
import { NOTIFY_DUE, transaction } from "./pool.ts";
import { type DeliveryRecord, toDelivery } from "./rows.ts";

// Reads deliveries_endpoint_parked (migration 0014; test/list-plans.test.ts holds it).
export const RECOVER = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1
  WHERE tenant_id = $2 AND endpoint_id = $3 AND status IN ('failed', 'skipped')
    AND created_at >= $4 AND created_at <= $5`;
// The endpoints whose count rows a resend locks first (migration 0013): RESEND's rows that are
// failed or skipped. A succeeded one it resends crosses no line.
const RESENT_PARKED = `SELECT DISTINCT endpoint_id FROM deliveries
  WHERE event_id = $1 AND status IN ('failed', 'skipped') AND ($2::text IS NULL OR endpoint_id = $2)`;
const OF_EVENT = "SELECT * FROM deliveries WHERE event_id = $1 ORDER BY seq";
const RESEND = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1
  WHERE event_id = $2 AND status IN ('succeeded', 'failed', 'skipped')
    AND ($3::text IS NULL OR endpoint_id = $3)
    AND endpoint_id IN (SELECT id FROM endpoints WHERE status = 'enabled')`;
const INSERT = `INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count,
  next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)`;
const RELEASE = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL,
  lease_until = NULL, updated_at = $2
  WHERE id = ANY($3::text[]) AND status = 'in_flight' AND lease_owner = $4`;
// One due time for all: they are claimed in creation order.
const RESUME = `UPDATE deliveries SET next_attempt_at = $1, updated_at = $1
  WHERE endpoint_id = $2 AND status = 'pending'`;
const DEFER = `UPDATE deliveries SET next_attempt_at = $1, updated_at = $2
  WHERE endpoint_id = $3 AND status = 'pending' AND next_attempt_at < $1`;

/**
 * Everything that makes deliveries due again without an attempt (see sqlite/requeue.ts). What
 * becomes due now NOTIFYs, so an idle worker on another node sends it at once.
 */
export function requeueQueries(pool: pg.Pool) {
  return {
    recover: (input: {
      tenantId: string;
      endpointId: string;
      since: number;
      until: number;
      now: number;
    }) =>
      transaction(pool, async (client) => {
        await lockCounts(client, [input.endpointId]);
        const { rowCount } = await client.query(RECOVER, [
          input.now,
          input.tenantId,
          input.endpointId,
          input.since,
          input.until,
        ]);
        if ((rowCount ?? 0) > 0) await client.query(NOTIFY_DUE);
        return rowCount ?? 0;
      }),
    retryEvent: (input: {
      tenantId: string;
      eventId: string;
      endpointId: string | undefined;
      newDeliveryId: string;
      now: number;
    }) =>
      transaction(pool, async (client): Promise<DeliveryRow[]> => {
        const { tenantId, eventId, endpointId, now } = input;
        const event = await client.query("SELECT 1 FROM events WHERE tenant_id = $1 AND id = $2", [
          tenantId,
          eventId,
        ]);
        if (event.rowCount === 0) return [];
        await lockCountsOf(client, RESENT_PARKED, [eventId, endpointId ?? null]);
        const resent = await client.query(RESEND, [now, eventId, endpointId ?? null]);
        const ofEvent = async () =>
          (await client.query<DeliveryRecord>(OF_EVENT, [eventId])).rows
            .map(toDelivery)
            .filter((d) => endpointId === undefined || d.endpointId === endpointId);
        let rows = await ofEvent();
        let due = resent.rowCount ?? 0;
        // Resending to an endpoint the event never went to is what an operator means by "send
        // it there": create that delivery.
        if (endpointId !== undefined && rows.length === 0) {
          const endpoint = await client.query(
            "SELECT 1 FROM endpoints WHERE tenant_id = $1 AND id = $2",
            [tenantId, endpointId],
          );
          if ((endpoint.rowCount ?? 0) > 0) {
            await client.query(INSERT, [input.newDeliveryId, tenantId, eventId, endpointId, now]);
            rows = await ofEvent();
            due++;
          }
        }
        if (due > 0) await client.query(NOTIFY_DUE);
        return rows;
      }),
    async release(ids: readonly string[], owner: string, dueAt: number, now: number) {
      if (ids.length === 0) return 0;
      const { rowCount } = await pool.query({
        name: "requeue-release",
        text: RELEASE,
        values: [dueAt, now, ids, owner],
      });
      // Given back because this node is full: another node may have room now.
      if ((rowCount ?? 0) > 0 && dueAt <= now) await pool.query(NOTIFY_DUE);
      return rowCount ?? 0;
    },
    async resume(endpointId: string, now: number) {
      const { rowCount } = await pool.query(RESUME, [now, endpointId]);
      if ((rowCount ?? 0) > 0) await pool.query(NOTIFY_DUE);
      return rowCount ?? 0;
    },
    async defer(endpointId: string, until: number, now: number) {
      const { rowCount } = await pool.query(DEFER, [until, now, endpointId]);
      return rowCount ?? 0;
    },
  };
}
