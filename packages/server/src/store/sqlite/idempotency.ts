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
  return {
    find: (key: Omit<IdempotencyRecord, "resourceId">) =>
      find.get(key.tenantId, key.operation, key.key) as
        | { requestHash: string; resourceId: string }
        | undefined,
    save: (record: IdempotencyRecord, now: number) =>
      void save.run(
        record.tenantId,
        record.key,
        record.operation,
        record.requestHash,
        record.resourceId,
        now,
      ),
  };
}
export type Idempotency = ReturnType<typeof idempotency>;
