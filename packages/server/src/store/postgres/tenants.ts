import type pg from "pg";
import { apiKeyList, seqList } from "../list-query.ts";
import { cursorError } from "../sqlite/endpoints.ts";
// API keys have the same columns and types in both dialects: SQLite's mapper serves here too.
import { type KeyRecord, toKey } from "../sqlite/tenants.ts";
import type { TenantRow, TenantStore } from "../tenant-types.ts";
import type { ListOptions } from "../types.ts";
import { paginate } from "./paginate.ts";
import { transaction } from "./pool.ts";

interface TenantRecord {
  id: string;
  name: string;
  metadata: Record<string, string>;
  created_at: number;
  updated_at: number | null;
}

const toTenant = (r: TenantRecord): TenantRow => ({
  id: r.id,
  name: r.name,
  metadata: r.metadata,
  createdAt: r.created_at,
  updatedAt: r.updated_at ?? r.created_at,
});

// Tenants have no `seq` column: their creation order, numbered, stands in for it.
const LIVE_TENANTS =
  "(SELECT row_number() OVER (ORDER BY created_at, id) AS seq, * FROM tenants WHERE deleted_at IS NULL) t";

/** Tenants and tenant-scoped API keys on PostgreSQL; the same rules as sqlite/tenants.ts. */
export function tenantQueries(pool: pg.Pool): TenantStore {
  const keyRow = async (sql: string, params: unknown[]) => {
    const { rows } = await pool.query<KeyRecord>(sql, params);
    return rows[0] && toKey(rows[0]);
  };
  return {
    async createTenant(t) {
      const { rowCount } = await pool.query(
        "INSERT INTO tenants (id, name, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
        [t.id, t.name, JSON.stringify(t.metadata), t.createdAt, t.updatedAt],
      );
      return rowCount === 1;
    },
    async getTenant(id) {
      const { rows } = await pool.query<TenantRecord>(
        "SELECT * FROM tenants WHERE id = $1 AND deleted_at IS NULL",
        [id],
      );
      return rows[0] && toTenant(rows[0]);
    },
    async listTenants(options: ListOptions) {
      const page = await paginate<TenantRecord>(pool, seqList(LIVE_TENANTS, "TRUE", []), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toTenant), hasMore: page.hasMore };
    },
    async updateTenant(t) {
      await pool.query(
        "UPDATE tenants SET name = $1, metadata = $2, updated_at = $3 WHERE id = $4 AND deleted_at IS NULL",
        [t.name, JSON.stringify(t.metadata), t.updatedAt, t.id],
      );
    },
    deleteTenant: (id, now) =>
      transaction(pool, async (client) => {
        // Locked, so an endpoint created meanwhile by another node waits for this decision.
        const tenant = await client.query(
          "SELECT id FROM tenants WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
          [id],
        );
        if (tenant.rows.length === 0) return "missing" as const;
        const count = await client.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM endpoints WHERE tenant_id = $1",
          [id],
        );
        if (count.rows[0]!.n > 0) return "has_endpoints" as const;
        await client.query("UPDATE tenants SET deleted_at = $1 WHERE id = $2", [now, id]);
        await client.query(
          "UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND revoked_at IS NULL",
          [now, id],
        );
        return "deleted" as const;
      }),
    async createApiKey(k, hash) {
      await pool.query(
        "INSERT INTO api_keys (id, tenant_id, name, key_hash, key_hint, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [k.id, k.tenantId, k.name, hash, k.keyHint, k.createdAt],
      );
    },
    findApiKey: (hash) =>
      keyRow(
        `SELECT k.* FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.deleted_at IS NULL`,
        [hash],
      ),
    getApiKey: (id) => keyRow("SELECT * FROM api_keys WHERE id = $1", [id]),
    async listApiKeys(tenantId, options) {
      const page = await paginate<KeyRecord>(pool, apiKeyList(tenantId), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toKey), hasMore: page.hasMore };
    },
    async revokeApiKey(id, now) {
      await pool.query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [
        now,
        id,
      ]);
      return keyRow("SELECT * FROM api_keys WHERE id = $1", [id]);
    },
  };
}
