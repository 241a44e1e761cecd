import type pg from "pg";
import type { IdempotencyClaim } from "../sqlite/idempotency.ts";
import type { IdempotencyRecord } from "../types.ts";

const FIND = `SELECT request_hash, resource_id FROM idempotency_keys
  WHERE tenant_id = $1 AND operation = $2 AND key = $3 FOR UPDATE`;
const INSERT = `INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, resource_id, created_at)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`;
// A key whose object was deleted since is taken over by the new object.
const TAKE_OVER = `UPDATE idempotency_keys SET request_hash = $4, resource_id = $5, created_at = $6
  WHERE tenant_id = $1 AND operation = $2 AND key = $3`;

/**
 * Decides what a create with this key does, inside the caller's transaction (see
 * sqlite/idempotency.ts). Two nodes racing on one key: the second INSERT waits for the first
 * transaction, finds the row once it commits and DOES NOTHING; the loop then reads it (READ
 * COMMITTED sees it in the next statement) and answers replay or conflict.
 */
export async function claimKey(
  client: pg.PoolClient,
  key: Omit<IdempotencyRecord, "resourceId">,
  resourceId: string,
  now: number,
  exists: (id: string) => Promise<boolean> = async () => true,
): Promise<IdempotencyClaim> {
  const params = [key.tenantId, key.operation, key.key];
  for (;;) {
    const seen = await client.query<{ request_hash: string; resource_id: string }>({
      name: "idempotency-find",
      text: FIND,
      values: params,
    });
    const row = seen.rows[0];
    if (row !== undefined) {
      if (row.request_hash !== key.requestHash) return { kind: "conflict" };
      if (await exists(row.resource_id)) return { kind: "replay", resourceId: row.resource_id };
      await client.query(TAKE_OVER, [...params, key.requestHash, resourceId, now]);
      return { kind: "new" };
    }
    const inserted = await client.query({
      name: "idempotency-insert",
      text: INSERT,
      values: [key.tenantId, key.key, key.operation, key.requestHash, resourceId, now],
    });
    if (inserted.rowCount === 1) return { kind: "new" };
  }
}
