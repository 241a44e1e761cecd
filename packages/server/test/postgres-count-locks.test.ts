// PostgreSQL's failed/skipped counters (migration 0013) are rows that ingest, the recorder,
// resends, retention and endpoint deletes all write, on several connections at once. Two
// orders must hold where a mistake would not show in a single-connection test:
// - idempotency keys, then rollups, then counts, in every transaction that takes more than one
//   (ingest's order; a recorder or a retention batch that took counts first and an ingest
//   could each wait for the other, and PostgreSQL would abort one of them);
// - a count row is written only for an endpoint that still exists when its writer commits:
//   a writer racing the endpoint's delete waits for it, then finds it gone.
// A second connection holds the lock each case is about, so the interleaving is forced.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryStatus } from "../src/domain/delivery-status.ts";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import type { Store } from "../src/store/types.ts";
import { lockWaiters } from "./support/lock-waiters.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;
const ladder = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };
const LEASE = { limit: 100, owner: "node-a", excludeEndpoints: [], perEndpoint: 100 };

describe("PostgreSQL's count rows under concurrent writers", () => {
  let db: FreshDatabase;
  let store: Store;
  let other: pg.Client;
  beforeEach(async () => {
    db = await freshDatabase();
    store = await createPostgresStore(db.url, { poolSize: 4 });
    other = new pg.Client({ connectionString: db.url });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
    await store.close();
    await db.drop();
  });

  const waiters = (n: number, done: Promise<unknown>) => lockWaiters(db.url, n, done);

  /** Tries to lock the endpoint's count rows from `other` without waiting. */
  function lockCountRows(endpointId: string) {
    return other
      .query("SELECT 1 FROM endpoint_delivery_counts WHERE endpoint_id = $1 FOR UPDATE NOWAIT", [
        endpointId,
      ])
      .then(
        (r) => `locked ${r.rowCount}`,
        (error: { code?: string }) => `refused ${error.code}`,
      );
  }

  it("the recorder takes an endpoint's rollup rows before its count rows, as ingest does", async () => {
    const e = endpointRow(T0);
    await store.createEndpoint(e);
    await store.createEvents([eventRows(T0 + 1, [e.id]), eventRows(T0 + 2, [e.id])]);
    const now = T0 + 1000;
    const [first, second] = await store.claimDue({ now, leaseUntil: now + 60_000, ...LEASE });
    // The first outcome writes the endpoint's rollup row of this minute; one count row per
    // shard makes the recorder's lock of its own visible to the other connection.
    await store.recordResults([outcome(first!, now, { ok: true })], now, ladder);
    await other.query(
      `INSERT INTO endpoint_delivery_counts (endpoint_id, shard)
       SELECT $1, s FROM generate_series(0, 7) AS s`,
      [e.id],
    );

    await other.query("BEGIN");
    const locked = await other.query("SELECT 1 FROM rollups WHERE scope = $1 FOR UPDATE", [e.id]);
    expect(locked.rowCount).toBe(1);
    // A final failure: the recorder locks counts (it parks a delivery) and the rollup row.
    const recording = store.recordResults(
      [outcome(second!, now, { ok: false, nextAttemptAt: null })],
      now,
      ladder,
    );
    expect(await waiters(1, recording)).toBe("waiting");
    // Waiting on the rollup row, the recorder must not hold a count row yet: ingest, holding
    // its rollup rows, would wait on it, and the two would deadlock.
    const counts = await lockCountRows(e.id);
    await other.query("ROLLBACK");
    await recording;
    expect(counts).toBe("locked 8");
    const { deliveries } = await store.endpointActivity(e.id, 0, 10);
    expect(deliveries.failed).toBe(1);
  });

  it("retention takes an event's idempotency key before its count rows, as ingest does", async () => {
    const e = endpointRow(T0);
    await store.createEndpoint(e);
    await store.createEvents([
      eventRows(T0 + 1, [e.id], { key: "order-1", status: DeliveryStatus.failed }),
    ]);
    await other.query(
      `INSERT INTO endpoint_delivery_counts (endpoint_id, shard)
       SELECT $1, s FROM generate_series(0, 7) AS s ON CONFLICT DO NOTHING`,
      [e.id],
    );

    // As an ingest replaying the key holds it until its commit.
    await other.query("BEGIN");
    const key = await other.query(
      "SELECT 1 FROM idempotency_keys WHERE key = 'order-1' FOR UPDATE",
    );
    expect(key.rowCount).toBe(1);
    const pruning = store.pruneBefore(T0 + 1000, { limit: 10, after: 0 });
    expect(await waiters(1, pruning)).toBe("waiting");
    const counts = await lockCountRows(e.id);
    await other.query("ROLLBACK");
    expect(await pruning).toMatchObject({ events: 1, deliveries: 1, idempotencyKeys: 1 });
    expect(counts).toBe("locked 8");
  });

  it("ingest racing an endpoint's delete leaves no count row of the deleted endpoint", async () => {
    const e = endpointRow(T0);
    await store.createEndpoint(e);
    await store.createEvents([eventRows(T0 + 1, [e.id])]);

    // The delete locks the endpoint and removes its counts, then waits on the pending delivery
    // this connection holds (it cancels it): a delete in the middle, not yet committed.
    await other.query("BEGIN");
    await other.query("SELECT 1 FROM deliveries WHERE endpoint_id = $1 FOR UPDATE", [e.id]);
    const deleting = store.deleteEndpoint(TENANT, e.id, T0 + 10);
    expect(await waiters(1, deleting)).toBe("waiting");
    // An event whose delivery to it is written skipped (as to a disabled endpoint) counts it.
    const ingesting = store.createEvents([
      eventRows(T0 + 20, [e.id], { status: DeliveryStatus.skipped }),
    ]);
    const state = await waiters(2, ingesting);
    await other.query("COMMIT");
    expect(await deleting).toBe(true);
    await ingesting;
    const rows = await other.query(
      "SELECT shard, skipped FROM endpoint_delivery_counts WHERE endpoint_id = $1",
      [e.id],
    );
    expect({ state, orphans: rows.rows }).toEqual({ state: "waiting", orphans: [] });
  });
});
