import type Database from "better-sqlite3";
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

/** Numbered, forward-only migrations; `user_version` records how many are applied. */
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

export function migrate(db: Database.Database): void {
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting on one file apply
  // each migration once: the second waits (busy_timeout) and then sees it applied.
  db.transaction(() => {
    const applied = db.pragma("user_version", { simple: true }) as number;
    for (let version = applied; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
