import type pg from "pg";
import { sql as initial } from "./migrations/0001-initial.ts";
import { sql as endpointHealth } from "./migrations/0002-endpoint-health.ts";
import { sql as tenantsAndKeys } from "./migrations/0003-tenants-and-keys.ts";
import { sql as claimByEndpoint } from "./migrations/0004-claim-by-endpoint.ts";
import { sql as ordering } from "./migrations/0005-ordering.ts";
import { sql as historyIndexes } from "./migrations/0006-history-indexes.ts";
import { sql as outbox } from "./migrations/0007-outbox.ts";
import { sql as orderingHold } from "./migrations/0008-ordering-hold.ts";
import { sql as endpointOptions } from "./migrations/0009-endpoint-options.ts";
import { sql as pendingRetries } from "./migrations/0010-pending-retries.ts";
import { sql as traceContext } from "./migrations/0011-trace-context.ts";
import { sql as endpointTls } from "./migrations/0012-endpoint-tls.ts";
import { sql as endpointDeliveryCounts } from "./migrations/0013-endpoint-delivery-counts.ts";
import { sql as endpointParkedIndex } from "./migrations/0014-endpoint-parked-index.ts";
import { transaction } from "./pool.ts";

/** Numbered, forward-only migrations; `schema_migrations` records which are applied. */
export const MIGRATIONS: readonly string[] = [
  initial,
  endpointHealth,
  tenantsAndKeys,
  claimByEndpoint,
  ordering,
  historyIndexes,
  outbox,
  orderingHold,
  endpointOptions,
  pendingRetries,
  traceContext,
  endpointTls,
  endpointDeliveryCounts,
  endpointParkedIndex,
];

// Any constant both dialects' nodes agree on; "hookline" in ASCII.
const MIGRATION_LOCK = 0x686f6f6b6c696e65n;

/**
 * Applies what is missing, in one transaction under a transaction-scoped advisory lock: several
 * nodes starting at once queue on the lock, the first applies each migration, the others then
 * find them applied. DDL is transactional in PostgreSQL, so a failed migration leaves nothing.
 */
export function migrate(pool: pg.Pool): Promise<void> {
  return transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)",
    );
    const applied = await appliedVersion(client);
    for (let version = applied; version < MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version]!);
      await client.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [
        version + 1,
        Date.now(),
      ]);
    }
  });
}

export async function appliedVersion(db: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>(
    "SELECT max(version) AS v FROM schema_migrations",
  );
  return rows[0]?.v ?? 0;
}
