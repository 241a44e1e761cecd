import type pg from "pg";
import { deliveryList } from "../list-query.ts";
import { cursorError } from "../sqlite/endpoints.ts";
import type { AttemptRow, DeliveryFilters, DeliveryRow, Page } from "../types.ts";
import { lockCountsOf } from "./endpoint-counts.ts";
import { paginate } from "./paginate.ts";
import { NOTIFY_DUE, transaction } from "./pool.ts";
import { type AttemptRecord, type DeliveryRecord, toAttempt, toDelivery } from "./rows.ts";

const BY_ID = "SELECT * FROM deliveries WHERE tenant_id = $1 AND id = $2";
const RETRY = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1
  WHERE tenant_id = $2 AND id = $3 AND status <> 'in_flight'`;
// Its count row is locked first when it leaves failed or skipped (migration 0013).
const RETRIED_PARKED = `SELECT endpoint_id FROM deliveries
  WHERE tenant_id = $1 AND id = $2 AND status IN ('failed', 'skipped')`;
const RELEASE = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL,
  lease_until = NULL, updated_at = $1 WHERE status = 'in_flight' AND lease_owner = $2`;
// Crashed holders' leases: the one small statement any node runs now and then.
const RECLAIM = `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL,
  lease_until = NULL, updated_at = $1 WHERE status = 'in_flight' AND lease_until < $2`;

export function deliveryQueries(pool: pg.Pool) {
  const get = async (tenantId: string, id: string) => {
    const { rows } = await pool.query<DeliveryRecord>(BY_ID, [tenantId, id]);
    return rows[0] && toDelivery(rows[0]);
  };
  /** Tells listening nodes that deliveries fell due outside a commit that notified already. */
  const notify = async (count: number) => {
    if (count > 0) await pool.query(NOTIFY_DUE);
    return count;
  };

  return {
    get,
    async list(tenantId: string, filters: DeliveryFilters): Promise<Page<DeliveryRow>> {
      const page = await paginate<DeliveryRecord>(pool, deliveryList(tenantId, filters), filters);
      if (page === undefined) throw cursorError(filters);
      return { data: page.data.map(toDelivery), hasMore: page.hasMore };
    },
    async attempts(deliveryId: string): Promise<AttemptRow[]> {
      // ctid breaks ties as rowid does in SQLite: insertion order within one millisecond.
      const { rows } = await pool.query<AttemptRecord>(
        "SELECT * FROM attempts WHERE delivery_id = $1 ORDER BY created_at, ctid",
        [deliveryId],
      );
      return rows.map(toAttempt);
    },
    async retry(tenantId: string, id: string, now: number): Promise<DeliveryRow | undefined> {
      const retried = await transaction(pool, async (client) => {
        await lockCountsOf(client, RETRIED_PARKED, [tenantId, id]);
        return (await client.query(RETRY, [now, tenantId, id])).rowCount ?? 0;
      });
      await notify(retried);
      return get(tenantId, id);
    },
    release: async (owner: string, now: number) =>
      notify((await pool.query(RELEASE, [now, owner])).rowCount ?? 0),
    reclaim: async (now: number, before = now) =>
      notify(
        (await pool.query({ name: "deliveries-reclaim", text: RECLAIM, values: [now, before] }))
          .rowCount ?? 0,
      ),
    async nextDue(): Promise<number | undefined> {
      const { rows } = await pool.query<{ due: number | null }>({
        name: "deliveries-next-due",
        text: "SELECT min(next_attempt_at) AS due FROM deliveries WHERE status = 'pending'",
      });
      return rows[0]?.due ?? undefined;
    },
  };
}
