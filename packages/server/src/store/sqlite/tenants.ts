import type Database from "better-sqlite3";
import { apiKeyList, seqList } from "../list-query.ts";
import type { ApiKeyRow, TenantRow, TenantStore } from "../tenant-types.ts";
import type { ListOptions } from "../types.ts";
import { cursorError } from "./endpoints.ts";
import { paginate } from "./paginate.ts";

interface TenantRecord {
  id: string;
  name: string;
  metadata: string;
  created_at: number;
  updated_at: number | null;
}

export interface KeyRecord {
  id: string;
  tenant_id: string;
  name: string | null;
  key_hint: string;
  created_at: number;
  revoked_at: number | null;
}

const toTenant = (r: TenantRecord): TenantRow => ({
  id: r.id,
  name: r.name,
  metadata: JSON.parse(r.metadata) as Record<string, string>,
  createdAt: r.created_at,
  updatedAt: r.updated_at ?? r.created_at,
});

export const toKey = (r: KeyRecord): ApiKeyRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  keyHint: r.key_hint,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

// Tenants predate `seq`: their rowid orders them, under the name the pagination expects.
const LIVE_TENANTS = "(SELECT rowid AS seq, * FROM tenants WHERE deleted_at IS NULL)";

export function tenantQueries(db: Database.Database): TenantStore {
  const insertTenant = db.prepare(
    "INSERT INTO tenants (id, name, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
  );
  const tenantById = db.prepare("SELECT * FROM tenants WHERE id = ? AND deleted_at IS NULL");
  const writeTenant = db.prepare(
    "UPDATE tenants SET name = ?, metadata = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
  );
  const endpointCount = db.prepare("SELECT COUNT(*) AS n FROM endpoints WHERE tenant_id = ?");
  const markDeleted = db.prepare(
    "UPDATE tenants SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
  );
  const revokeAll = db.prepare(
    "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND revoked_at IS NULL",
  );
  const insertKey = db.prepare(
    "INSERT INTO api_keys (id, tenant_id, name, key_hash, key_hint, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const keyByHash = db.prepare(`
    SELECT k.* FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
    WHERE k.key_hash = ? AND k.revoked_at IS NULL AND t.deleted_at IS NULL`);
  const keyById = db.prepare("SELECT * FROM api_keys WHERE id = ?");
  const revoke = db.prepare(
    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
  );

  const remove = db.transaction((id: string, now: number) => {
    if (tenantById.get(id) === undefined) return "missing" as const;
    if ((endpointCount.get(id) as { n: number }).n > 0) return "has_endpoints" as const;
    markDeleted.run(now, id);
    revokeAll.run(now, id);
    return "deleted" as const;
  });

  return {
    createTenant: async (t) =>
      insertTenant.run(t.id, t.name, JSON.stringify(t.metadata), t.createdAt, t.updatedAt)
        .changes === 1,
    getTenant: async (id) => {
      const row = tenantById.get(id) as TenantRecord | undefined;
      return row && toTenant(row);
    },
    listTenants: async (options: ListOptions) => {
      const page = paginate<TenantRecord>(db, seqList(LIVE_TENANTS, "1 = 1", []), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toTenant), hasMore: page.hasMore };
    },
    updateTenant: async (t) =>
      void writeTenant.run(t.name, JSON.stringify(t.metadata), t.updatedAt, t.id),
    deleteTenant: async (id, now) => remove.immediate(id, now),
    createApiKey: async (k, hash) =>
      void insertKey.run(k.id, k.tenantId, k.name, hash, k.keyHint, k.createdAt),
    findApiKey: async (hash) => {
      const row = keyByHash.get(hash) as KeyRecord | undefined;
      return row && toKey(row);
    },
    getApiKey: async (id) => {
      const row = keyById.get(id) as KeyRecord | undefined;
      return row && toKey(row);
    },
    listApiKeys: async (tenantId, options) => {
      const page = paginate<KeyRecord>(db, apiKeyList(tenantId), options);
      if (page === undefined) throw cursorError(options);
      return { data: page.data.map(toKey), hasMore: page.hasMore };
    },
    revokeApiKey: async (id, now) => {
      revoke.run(now, id);
      const row = keyById.get(id) as KeyRecord | undefined;
      return row && toKey(row);
    },
  };
}
