import type pg from "pg";
import { endpointList } from "../list-query.ts";
import { cursorError } from "../sqlite/endpoints.ts";
import type { EndpointRow, IdempotencyRecord, ListOptions, Page } from "../types.ts";
import { lockCounts, removeCounts } from "./endpoint-counts.ts";
import { claimKey } from "./idempotency.ts";
import { paginate } from "./paginate.ts";
import { transaction } from "./pool.ts";
import { ENDPOINT_COLUMNS, type EndpointRecord, endpointValues, toEndpoint } from "./rows.ts";

const INSERT = `INSERT INTO endpoints (${ENDPOINT_COLUMNS.join(", ")})
  VALUES (${ENDPOINT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;
// Neither the id, the tenant nor created_at changes; the id and tenant are $1 and $2.
const UPDATED = ENDPOINT_COLUMNS.filter((c) => c !== "created_at");
const UPDATE = `UPDATE endpoints SET ${UPDATED.slice(2)
  .map((c, i) => `${c} = $${i + 3}`)
  .join(", ")} WHERE id = $1 AND tenant_id = $2`;
const updateValues = (e: EndpointRow) =>
  endpointValues(e).filter((_, i) => ENDPOINT_COLUMNS[i] !== "created_at");
const BY_ID = "SELECT * FROM endpoints WHERE tenant_id = $1 AND id = $2";
// The endpoint row is locked first, then its deliveries: the order recordResults takes too.
// A delete locks its endpoint FOR UPDATE, which a count writer's key-share lock waits for
// (endpoint-counts.ts); an update changes no key and takes the weaker lock, so ingest of
// skipped deliveries does not queue behind it.
const LOCK_TO_DELETE = "SELECT status FROM endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE";
const LOCK_TO_UPDATE =
  "SELECT status FROM endpoints WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE";
const RESET_HEALTH = `UPDATE endpoints SET health = 'healthy', consecutive_failures = 0,
  failing_since = NULL, disable_at = NULL WHERE id = $1`;
export const SKIP_PENDING = `UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, updated_at = $1
  WHERE endpoint_id = $2 AND status = 'pending'`;
const CANCEL = `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = $1
  WHERE endpoint_id = $2 AND status IN ('pending', 'in_flight')`;

export function endpointQueries(pool: pg.Pool) {
  const get = async (db: pg.Pool | pg.PoolClient, tenantId: string, id: string) => {
    const { rows } = await db.query<EndpointRecord>(BY_ID, [tenantId, id]);
    return rows[0] && toEndpoint(rows[0]);
  };

  return {
    create: (endpoint: EndpointRow, key?: Omit<IdempotencyRecord, "resourceId">) =>
      transaction(pool, async (client) => {
        if (key !== undefined) {
          const claim = await claimKey(
            client,
            key,
            endpoint.id,
            endpoint.createdAt,
            async (id) => (await get(client, key.tenantId, id)) !== undefined,
          );
          if (claim.kind === "conflict") return claim;
          if (claim.kind === "replay") {
            const first = (await get(client, key.tenantId, claim.resourceId)) as EndpointRow;
            return { kind: "replayed" as const, endpoint: first };
          }
        }
        await client.query(INSERT, endpointValues(endpoint));
        return { kind: "created" as const, endpoint };
      }),
    get: (tenantId: string, id: string) => get(pool, tenantId, id),
    async list(tenantId: string, options: ListOptions): Promise<Page<EndpointRow>> {
      const page = await paginate<EndpointRecord>(pool, endpointList(tenantId), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toEndpoint), hasMore: page.hasMore };
    },
    async ofTenant(tenantId: string): Promise<EndpointRow[]> {
      const { rows } = await pool.query<EndpointRecord>({
        name: "endpoints-of-tenant",
        text: "SELECT * FROM endpoints WHERE tenant_id = $1 ORDER BY seq",
        values: [tenantId],
      });
      return rows.map(toEndpoint);
    },
    update: (endpoint: EndpointRow, now: number) =>
      transaction(pool, async (client) => {
        const before = await client.query<{ status: string }>(LOCK_TO_UPDATE, [
          endpoint.tenantId,
          endpoint.id,
        ]);
        const previousStatus = (before.rows[0]?.status ?? endpoint.status) as EndpointRow["status"];
        await client.query(UPDATE, updateValues(endpoint));
        if (previousStatus !== endpoint.status) {
          // Disabled: nothing more is attempted, and nothing is lost either (recover resends it).
          if (endpoint.status === "disabled") {
            await lockCounts(client, [endpoint.id]);
            await client.query(SKIP_PENDING, [now, endpoint.id]);
          } else await client.query(RESET_HEALTH, [endpoint.id]);
        }
        return { previousStatus };
      }),
    delete: (tenantId: string, id: string, now: number) =>
      transaction(pool, async (client) => {
        const found = await client.query(LOCK_TO_DELETE, [tenantId, id]);
        if (found.rowCount === 0) return false;
        await removeCounts(client, id);
        await client.query(CANCEL, [now, id]);
        await client.query("DELETE FROM endpoints WHERE tenant_id = $1 AND id = $2", [
          tenantId,
          id,
        ]);
        return true;
      }),
  };
}
