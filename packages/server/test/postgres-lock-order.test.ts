// PostgreSQL's shared rows (idempotency keys, rollups, the failed/skipped counters of migration
// 0013, ordering keys, endpoints, events, deliveries) are written by ingest, the recorder, claims,
// resends, retention and endpoint deletes, on several connections at once. Where two of them
// take the same locks in opposite orders, each can wait for the other and PostgreSQL aborts one
// (40P01); a mistake there never shows in a single-connection test. Each case below forces its
// interleaving with a second connection holding the lock in question, and each failed before
// its fix:
// - keys, then rollups, then counts, in every transaction that takes more than one (ingest's
//   order): the recorder and a retention batch took counts first;
// - a count row only for an endpoint that still exists when its writer commits: a writer racing
//   the endpoint's delete waits for it, then finds it gone;
// - a claim cancelling a deleted endpoint's retry against a recorder disabling another endpoint
//   of the same event; ingest's key-share locks of its endpoints in batch order against a
//   FOR UPDATE of several in id order; an endpoint's delete against an ingest holding one of its
//   ordering keys (counts now go before ordering keys).
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
const settle = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string; message?: string }) => `error ${e.code}: ${e.message}`,
  );

describe("PostgreSQL lock order", () => {
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

  it("a claim cancelling a gone endpoint's retry does not deadlock with a recorder disabling another endpoint", async () => {
    const a = endpointRow(T0);
    const g = endpointRow(T0 + 1);
    await store.createEndpoint(a);
    await store.createEndpoint(g);
    const x = eventRows(T0 + 1, [a.id, g.id]); // fanned out to A and G
    const z = eventRows(T0 + 2, [a.id]);
    await store.createEvents([x, z]);
    const first = await store.claimDue({ now: T0 + 10, leaseUntil: T0 + 60_000, ...LEASE });
    expect(first).toHaveLength(3);
    const ofX = first.filter((d) => d.eventId === x.event.id);
    const za = first.find((d) => d.eventId === z.event.id)!;
    // X's two deliveries fail their first attempt: pending retries (failing_deliveries = 2).
    await store.recordResults(
      ofX.map((d) => outcome(d, T0 + 20, { ok: false, nextAttemptAt: T0 + 100 })),
      T0 + 20,
      ladder,
    );
    // G's delete committed while its delivery was being resent / retried: the row stays pending.
    await other.query("DELETE FROM endpoints WHERE id = $1", [g.id]);

    // Pause the recorder after LOCK_EVENTS: INSERT_ATTEMPTS' foreign key waits on Z's delivery.
    await other.query("BEGIN");
    await other.query("SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE", [za.id]);
    // A 410 on Z's delivery disables A: the recorder locks X (A's pending retry) and will skip
    // A's pending deliveries.
    const recording = settle(
      store.recordResults(
        [outcome(za, T0 + 30, { ok: false, status: 410, gone: true })],
        T0 + 30,
        ladder,
      ),
    );
    expect(await waiters(1, recording)).toBe("waiting");
    // The claim locks A's and G's pending retries, cancels G's (gone), and migration 0006's
    // trigger then wants X's row, which the recorder holds.
    const claiming = settle(store.claimDue({ now: T0 + 1000, leaseUntil: T0 + 70_000, ...LEASE }));
    const claimWaited = await waiters(2, claiming);
    await other.query("COMMIT");
    expect({ claimWaited, claim: await claiming, record: await recording }).toEqual({
      claimWaited: "settled",
      claim: "ok",
      record: "ok",
    });
  });

  it("ingest takes its endpoints' key-share locks in id order (as reseal's FOR UPDATE does)", async () => {
    const [lo, hi] = [endpointRow(T0), endpointRow(T0 + 1)].sort((p, q) => (p.id < q.id ? -1 : 1));
    await store.createEndpoint(lo!);
    await store.createEndpoint(hi!);
    // As reseal-secrets.ts (`... FROM endpoints ORDER BY id FOR UPDATE`) has locked the first.
    await other.query("BEGIN");
    await other.query("SELECT 1 FROM endpoints WHERE id = $1 FOR UPDATE", [lo!.id]);
    // A commit batch whose skipped deliveries name the higher id first (event order).
    const ingesting = settle(
      store.createEvents([
        eventRows(T0 + 5, [hi!.id], { status: DeliveryStatus.skipped }),
        eventRows(T0 + 6, [lo!.id], { status: DeliveryStatus.skipped }),
      ]),
    );
    expect(await waiters(1, ingesting)).toBe("waiting");
    // Reseal goes on to the next row in id order.
    const reseal = settle(other.query("SELECT id FROM endpoints ORDER BY id FOR UPDATE"));
    const r = await reseal;
    await other.query("ROLLBACK");
    const i = await ingesting;
    expect({ reseal: r, ingest: i }).toEqual({ reseal: "ok", ingest: "ok" });
  });
  it("an endpoint's delete and an ingest holding one of its ordering keys do not deadlock", async () => {
    const e = endpointRow(T0, { ordering: "per_key" });
    await store.createEndpoint(e);
    await store.createEvents([eventRows(T0 + 1, [e.id], { orderingKey: "k1" })]);
    const [head] = await store.claimDue({ now: T0 + 10, leaseUntil: T0 + 60_000, ...LEASE });
    expect(head?.orderingKey).toBe("k1"); // in flight: ordering_keys.running = its seq
    // An ingest whose node still sees the endpoint disabled writes a skipped keyed delivery.
    const next = eventRows(T0 + 2, [e.id], { orderingKey: "k1", status: DeliveryStatus.skipped });
    // Pause the ingest after it reserved k1's sequence: `other` holds its delivery id.
    await other.query("BEGIN");
    await other.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, created_at, updated_at)
       VALUES ($1, 'tn_default', $2, $3, 'cancelled', 0, 0)`,
      [next.deliveries[0]!.id, head!.eventId, e.id],
    );
    const ingesting = settle(store.createEvents([next]));
    expect(await waiters(1, ingesting)).toBe("waiting");
    // The delete locks the endpoint, then cancels the in-flight head: migration 0005's trigger
    // wants k1's row, which the ingest holds.
    const deleting = settle(store.deleteEndpoint("tn_default", e.id, T0 + 20));
    expect(await waiters(2, deleting)).toBe("waiting");
    await other.query("ROLLBACK");
    // The ingest now reaches addCounts: FOR KEY SHARE of the endpoint the delete holds.
    expect({ ingest: await ingesting, delete: await deleting }).toEqual({
      ingest: "ok",
      delete: "ok",
    });
  });
});
