import type Database from "better-sqlite3";
import type { TenantStore } from "../tenant-types.ts";
import type { Store } from "../types.ts";
import { activityQuery } from "./activity.ts";
import { deliveryQueries } from "./deliveries.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventQueries } from "./events.ts";
import { migrate } from "./migrate.ts";
import { type Durability, openSqlite } from "./open.ts";
import { recordResultsQuery } from "./record-results.ts";
import { requeueQueries } from "./requeue.ts";
import { resealSecretsQuery } from "./reseal-secrets.ts";
import { retentionQueries } from "./retention.ts";
import { rollupQueries } from "./rollups.ts";
import { statsQueries } from "./stats.ts";
import { tenantQueries } from "./tenants.ts";
import { timelineQuery } from "./timeline.ts";
import { startWalCheckpointer } from "./wal-checkpointer.ts";
import { walSync } from "./wal-sync.ts";

/**
 * The embedded store: one SQLite file, WAL, migrated when opened. better-sqlite3 is
 * synchronous, so each method runs to completion before the next; the async signatures are the
 * seam PostgreSQL shares.
 */
export function createSqliteStore(
  path: string,
  options: { durability?: Durability } = {},
): Store & TenantStore {
  const durability = options.durability ?? "fsync";
  const db: Database.Database = openSqlite(path, { durability });
  const wal = durability === "fsync" && !db.memory ? walSync(`${db.name}-wal`) : undefined;
  migrate(db);
  const checkpointer = db.memory ? undefined : startWalCheckpointer(db);
  const endpoints = endpointQueries(db);
  const events = eventQueries(db);
  const deliveries = deliveryQueries(db);
  const record = recordResultsQuery(db);
  const requeue = requeueQueries(db);
  const activity = activityQuery(db);
  const retention = retentionQueries(db);
  const timeline = timelineQuery(db);
  const rollups = rollupQueries(db);
  const getSetting = db.prepare("SELECT value FROM settings WHERE key = ?");
  const setSetting = db.prepare(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const ping = db.prepare("SELECT 1 AS ok");

  return {
    ...tenantQueries(db),
    ping: async () => (ping.get() as { ok: number }).ok === 1,
    close: async () => {
      await wal?.close();
      await checkpointer?.close();
      db.close();
    },

    getSetting: async (key) => (getSetting.get(key) as { value: string } | undefined)?.value,
    setSetting: async (key, value) => void setSetting.run(key, value),

    createEndpoint: async (endpoint, key) => endpoints.create(endpoint, key),
    getEndpoint: async (tenantId, id) => endpoints.get(tenantId, id),
    listEndpoints: async (tenantId, options) => endpoints.list(tenantId, options),
    tenantEndpoints: async (tenantId) => endpoints.ofTenant(tenantId),
    updateEndpoint: async (endpoint, now) => endpoints.update.immediate(endpoint, now),
    endpointActivity: async (endpointId, since, limit) => activity(endpointId, since, limit),
    deleteEndpoint: async (tenantId, id, now) => endpoints.delete(tenantId, id, now),

    createEvents: async (items) => events.create(items),
    syncCommits: () => wal?.sync() ?? Promise.resolve(),
    getEvent: async (tenantId, id) => events.get(tenantId, id),
    listEvents: async (tenantId, filters) => events.list(tenantId, filters),
    pendingDeliveryCounts: async (ids) => events.pendingCounts(ids),

    getDelivery: async (tenantId, id) => deliveries.get(tenantId, id),
    listDeliveries: async (tenantId, filters) => deliveries.list(tenantId, filters),
    listAttempts: async (deliveryId) => deliveries.attempts(deliveryId),
    retryDelivery: async (tenantId, id, now) => deliveries.retry(tenantId, id, now),
    recoverDeliveries: async (input) => requeue.recover(input),
    retryEvent: async (input) => requeue.retryEvent(input) ?? [],

    claimDue: async (input) => deliveries.claim(input),
    recordResults: async (results, now, ladder) => record(results, now, ladder),
    releaseDeliveries: async (ids, owner, dueAt, now) => requeue.release(ids, owner, dueAt, now),
    deferEndpoint: async (endpointId, until, now) => requeue.defer(endpointId, until, now),
    resumeEndpoint: async (endpointId, now) => requeue.resume(endpointId, now),
    releaseLeases: async (owner, now) => deliveries.release(owner, now),
    reclaimExpired: async (now, before) => deliveries.reclaim(now, before),
    nextDueAt: async () => deliveries.nextDue(),
    resealSecrets: async (reseal) => resealSecretsQuery(db).immediate(reseal),
    pruneBefore: async (cutoff, options) => retention.prune(cutoff, options),
    timeline: async (query) => rollups.timeline(query, timeline),
    ...statsQueries(db),
  };
}
