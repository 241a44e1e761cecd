import type { ListOptions, Page } from "./types.ts";

// Tenants and the API keys scoped to them: the access side of the store, apart from the
// delivery engine's Store so that each backend can grow it on its own.

export interface TenantRow {
  id: string;
  name: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  name: string | null;
  /** The first characters of the key, to recognise it in a list; the key itself is not kept. */
  keyHint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface TenantStore {
  /** `false` when a tenant with this id exists (or existed). */
  createTenant(tenant: TenantRow): Promise<boolean>;
  /** A live (not deleted) tenant. */
  getTenant(id: string): Promise<TenantRow | undefined>;
  listTenants(options: ListOptions): Promise<Page<TenantRow>>;
  updateTenant(tenant: TenantRow): Promise<void>;
  /**
   * Deletes a tenant that has no endpoints left: it disappears and its keys stop working.
   * Its events stay until retention prunes them.
   */
  deleteTenant(id: string, now: number): Promise<"deleted" | "has_endpoints" | "missing">;

  createApiKey(key: ApiKeyRow, hash: Buffer): Promise<void>;
  /** The live key with this hash, whose tenant is live too. */
  findApiKey(hash: Buffer): Promise<ApiKeyRow | undefined>;
  getApiKey(id: string): Promise<ApiKeyRow | undefined>;
  listApiKeys(tenantId: string | undefined, options: ListOptions): Promise<Page<ApiKeyRow>>;
  revokeApiKey(id: string, now: number): Promise<ApiKeyRow | undefined>;
}

/**
 * The store's tenant side when it has one. A backend without it (PostgreSQL, until it grows
 * one) serves the default tenant with the root key only, and says so when asked for more.
 */
export function tenantStoreOf(store: object): TenantStore {
  if ("findApiKey" in store) return store as TenantStore;
  const unsupported = async (): Promise<never> => {
    throw new Error("tenants and tenant API keys are not available on this database backend yet");
  };
  return {
    createTenant: unsupported,
    getTenant: async () => undefined,
    listTenants: unsupported,
    updateTenant: unsupported,
    deleteTenant: unsupported,
    createApiKey: unsupported,
    findApiKey: async () => undefined,
    getApiKey: async () => undefined,
    listApiKeys: unsupported,
    revokeApiKey: unsupported,
  };
}
