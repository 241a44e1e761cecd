import type { TenantStore } from "../store/tenant-types.ts";
import type { Principal } from "./auth.ts";

/**
 * What a verified `Authorization` header resolves to, kept between requests: hashing the key
 * (SHA-256 through a fresh node:crypto Hash) and, for a tenant key, reading it from the store
 * were about 20 µs of the roughly 350 µs of CPU an event cost at ingest (bench/ingest-cpu.ts).
 *
 * Only keys are kept, never a refusal (a key created a moment ago works at once) nor a portal
 * link (it expires on its own clock). A revoke or a tenant deletion through this node forgets
 * every entry at once (`guardTenants`); one made through another node sharing the database is
 * seen within `ttlMs`, as the endpoint cache sees endpoint writes.
 */
export interface PrincipalCache {
  get(authorization: string | undefined): Principal | undefined;
  remember(authorization: string | undefined, principal: Principal): Principal;
  clear(): void;
}

export function createPrincipalCache(options: {
  clock: () => number;
  ttlMs?: number;
  maxEntries?: number;
}): PrincipalCache {
  const ttlMs = options.ttlMs ?? 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { principal: Principal; until: number }>();
  return {
    get(authorization) {
      if (authorization === undefined) return undefined;
      const hit = entries.get(authorization);
      if (hit === undefined) return undefined;
      if (hit.until > options.clock()) return hit.principal;
      entries.delete(authorization);
      return undefined;
    },
    remember(authorization, principal) {
      if (authorization === undefined || principal.kind === "portal") return principal;
      // The oldest entry goes first: a Map iterates in insertion order.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(authorization, { principal, until: options.clock() + ttlMs });
      return principal;
    },
    clear() {
      entries.clear();
    },
  };
}

/** The tenant store, forgetting every cached principal when a key or a tenant goes away. */
export function guardTenants(tenants: TenantStore, cache: PrincipalCache): TenantStore {
  return {
    ...tenants,
    async revokeApiKey(id, now) {
      const revoked = await tenants.revokeApiKey(id, now);
      cache.clear();
      return revoked;
    },
    async deleteTenant(id, now) {
      const result = await tenants.deleteTenant(id, now);
      cache.clear();
      return result;
    },
  };
}
