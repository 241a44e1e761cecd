import type { OutboxStore } from "../outbox-types.ts";
import { rollupScope, rollupsAnswer, timelineFromRollups } from "../rollups.ts";
import type { TenantStore } from "../tenant-types.ts";
import type { Store } from "../types.ts";
import { activityQuery } from "./activity.ts";
import { claimQuery } from "./claim.ts";
import { deliveryQueries } from "./deliveries.ts";
import { endpointQueries } from "./endpoints.ts";
import { eventQueries } from "./events.ts";
import { dueListener } from "./listen.ts";
import { migrate } from "./migrate.ts";
import { OUTBOX_CHANNEL, outboxQueries } from "./outbox.ts";
import { createPool, DUE_CHANNEL } from "./pool.ts";
import { recordResultsQuery } from "./record-results.ts";
import { requeueQueries } from "./requeue.ts";
import { resealSecretsQuery } from "./reseal-secrets.ts";
import { retentionQueries } from "./retention.ts";
import { compactRollups, readRollups } from "./rollups.ts";
import { statsQueries } from "./stats.ts";
import { tenantQueries } from "./tenants.ts";
import { timelineQuery } from "./timeline.ts";

/**
 * The shared store: several nodes on one PostgreSQL database, coordinating only through it
 * (leases, FOR UPDATE SKIP LOCKED, LISTEN/NOTIFY). Migrated before it is returned.
 */
export async function createPostgresStore(
  url: string,
  options: { poolSize?: number } = {},
): Promise<Store & TenantStore & OutboxStore> {
  const pool = createPool(url, { max: options.poolSize ?? 10 });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const endpoints = endpointQueries(pool);
  const events = eventQueries(pool);
  const deliveries = deliveryQueries(pool);
  const requeue = requeueQueries(pool);
  const retention = retentionQueries(pool);
  const activity = activityQuery(pool);
  const record = recordResultsQuery(pool);
  const claim = claimQuery(pool);
  const timeline = timelineQuery(pool);
  const reseal = resealSecretsQuery(pool);
  // One connection hears both: deliveries due, and outbox rows committed (serve.ts's relay).
  const due = dueListener(url, { channels: [DUE_CHANNEL, OUTBOX_CHANNEL] });

  return {
    ...tenantQueries(pool),
    ...outboxQueries(pool, (listener) => due.subscribe(() => listener(), OUTBOX_CHANNEL)),
    async ping() {
      const { rows } = await pool.query<{ ok: number }>("SELECT 1 AS ok");
      return rows[0]?.ok === 1;
    },
    async close() {
      await due.close();
      await pool.end();
    },

    async getSetting(key) {
      const { rows } = await pool.query<{ value: string }>(
        "SELECT value FROM settings WHERE key = $1",
        [key],
      );
      return rows[0]?.value;
    },
    async setSetting(key, value) {
      await pool.query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
      );
    },

    createEndpoint: (endpoint, key) => endpoints.create(endpoint, key),
    getEndpoint: (tenantId, id) => endpoints.get(tenantId, id),
    listEndpoints: (tenantId, options) => endpoints.list(tenantId, options),
    tenantEndpoints: (tenantId) => endpoints.ofTenant(tenantId),
    updateEndpoint: (endpoint, now) => endpoints.update(endpoint, now),
    endpointActivity: (endpointId, since, limit) => activity(endpointId, since, limit),
    deleteEndpoint: (tenantId, id, now) => endpoints.delete(tenantId, id, now),

    createEvents: (items) => events.create(items),
    // The server synced the commit before answering it (synchronous_commit).
    syncCommits: async () => undefined,
    getEvent: (tenantId, id) => events.get(tenantId, id),
    listEvents: (tenantId, filters) => events.list(tenantId, filters),
    pendingDeliveryCounts: (ids) => events.pendingCounts(ids),

    getDelivery: (tenantId, id) => deliveries.get(tenantId, id),
    listDeliveries: (tenantId, filters) => deliveries.list(tenantId, filters),
    listAttempts: (deliveryId) => deliveries.attempts(deliveryId),
    retryDelivery: (tenantId, id, now) => deliveries.retry(tenantId, id, now),
    recoverDeliveries: (input) => requeue.recover(input),
    retryEvent: (input) => requeue.retryEvent(input),

    claimDue: (input) => claim(input),
    recordResults: (results, now, ladder) => record(results, now, ladder),
    releaseDeliveries: (ids, owner, dueAt, now) => requeue.release(ids, owner, dueAt, now),
    deferEndpoint: (endpointId, until, now) => requeue.defer(endpointId, until, now),
    resumeEndpoint: (endpointId, now) => requeue.resume(endpointId, now),
    releaseLeases: (owner, now) => deliveries.release(owner, now),
    reclaimExpired: (now, before) => deliveries.reclaim(now, before),
    nextDueAt: () => deliveries.nextDue(),
    resealSecrets: (fn) => reseal(fn),
    pruneBefore: (cutoff, options) => retention.prune(cutoff, options),
    compactRollups: (before, limit) => compactRollups(pool, before, limit),
    timeline: async (query) =>
      rollupsAnswer(query)
        ? timelineFromRollups(
            query,
            await readRollups(pool, rollupScope(query), query.since, query.until),
          )
        : timeline(query),
    ...statsQueries(pool),

    onDeliveriesDue: (listener) => due.subscribe(listener),
  };
}
