import type Database from "better-sqlite3";
import type { IdempotencyRecord } from "../types.ts";

/** Idempotency keys, read and written inside the caller's transaction. */
export function idempotency(db: Database.Database) {
  const find = db.prepare(
    "SELECT request_hash AS requestHash, resource_id AS resourceId FROM idempotency_keys WHERE tenant_id = ? AND operation = ? AND key = ?",
  );
  const save = db.prepare(
    // A key whose object was deleted since is taken over by the new object.
    "INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, resource_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, operation, key) DO UPDATE SET request_hash = excluded.request_hash, resource_id = excluded.resource_id, created_at = excluded.created_at",
  );
  const findKey = (key: Omit<IdempotencyRecord, "resourceId">) =>
    find.get(key.tenantId, key.operation, key.key) as
      | { requestHash: string; resourceId: string }
      | undefined;
  return {
    /**
     * Decides what a create with this key does, inside the caller's transaction: replay the
     * object the key first created, refuse another request under the same key, or go ahead
     * (recording the key for `resourceId`). A key whose object no longer `exists` is taken
     * over by the new object.
     */
    claim(
      key: Omit<IdempotencyRecord, "resourceId">,
      resourceId: string,
      now: number,
      exists: (id: string) => boolean = () => true,
    ): IdempotencyClaim {
      const seen = findKey(key);
      if (seen !== undefined) {
        if (seen.requestHash !== key.requestHash) return { kind: "conflict" };
        if (exists(seen.resourceId)) return { kind: "replay", resourceId: seen.resourceId };
      }
      save.run(key.tenantId, key.key, key.operation, key.requestHash, resourceId, now);
      return { kind: "new" };
    },
  };
}

export type IdempotencyClaim =
  | { kind: "new" }
  | { kind: "replay"; resourceId: string }
  | { kind: "conflict" };
