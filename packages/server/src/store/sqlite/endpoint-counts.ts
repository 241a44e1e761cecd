import type Database from "better-sqlite3";
import type { CountsDelta } from "../endpoint-counts.ts";

/**
 * An endpoint's `failed` and `skipped` counts (migration 0013). Its triggers keep them through
 * updates and deletes; what they cannot see goes through here: deliveries inserted failed or
 * skipped, and the endpoint's delete.
 */
export function endpointCountQueries(db: Database.Database) {
  // As the triggers write: only for an endpoint that exists (ingest can match one deleted
  // while its cache still had it).
  const add = db.prepare(`
    INSERT INTO endpoint_delivery_counts (endpoint_id, shard, failed, skipped)
      SELECT @id, 0, @failed, @skipped WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = @id)
      ON CONFLICT (endpoint_id, shard) DO UPDATE SET
        failed = failed + excluded.failed, skipped = skipped + excluded.skipped`);
  const read = db.prepare(`
    SELECT COALESCE(SUM(failed), 0) AS failed, COALESCE(SUM(skipped), 0) AS skipped
    FROM endpoint_delivery_counts WHERE endpoint_id = ?`);
  const remove = db.prepare("DELETE FROM endpoint_delivery_counts WHERE endpoint_id = ?");

  return {
    /** In the caller's transaction. */
    add(deltas: readonly CountsDelta[]) {
      for (const d of deltas) add.run({ id: d.endpointId, failed: d.failed, skipped: d.skipped });
    },
    read: (endpointId: string) => read.get(endpointId) as { failed: number; skipped: number },
    /** In the caller's transaction. */
    remove: (endpointId: string) => remove.run(endpointId),
  };
}
