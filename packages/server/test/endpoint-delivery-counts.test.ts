// An endpoint's health report counts its failed and skipped deliveries from counters (migration
// 0013), not from the rows. Every statement that moves a delivery into or out of those states
// must keep them: after each step below, the report says what a count of the rows says.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryStatus } from "../src/domain/delivery-status.ts";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import { OPEN_WORK } from "../src/store/sqlite/activity.ts";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../src/store/types.ts";
import { lockWaiters } from "./support/lock-waiters.ts";
import { freshDatabase } from "./support/postgres.ts";
import { factories, type Opened } from "./support/store-factories.ts";
import { endpointRow, eventRows, outcome, TENANT } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;
const DAY = 86_400_000;
const ladder = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };
const LEASE = { limit: 100, owner: "node-a", excludeEndpoints: [], perEndpoint: 100 };
const OPEN = ["pending", "in_flight", "failed", "skipped"] as const;

/** The endpoint's deliveries by status, counted from the rows through the list API. */
async function countRows(store: Store, endpointId: string) {
  const counts: Record<string, number> = {};
  for (const status of OPEN) {
    const page = await store.listDeliveries(TENANT, { endpointId, status, limit: 100 });
    expect(page.hasMore).toBe(false);
    counts[status] = page.data.length;
  }
  return counts;
}

async function reported(store: Store, endpointId: string) {
  const { deliveries } = await store.endpointActivity(endpointId, 0, 10);
  return {
    pending: deliveries.pending,
    in_flight: deliveries.inFlight,
    failed: deliveries.failed,
    skipped: deliveries.skipped,
  };
}

describe.each(factories)("the $name store's failed and skipped counts", ({ name, open }) => {
  let store: Store;
  let opened: Opened;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.cleanup());

  it("equal a count of the rows after every transition, retention and an endpoint's delete", async () => {
    const a = endpointRow(T0);
    const b = endpointRow(T0 + 1);
    const c = endpointRow(T0 + 2, { status: "disabled" });
    for (const e of [a, b, c]) await store.createEndpoint(e);
    const ids = [a.id, b.id, c.id];
    const agree = async (step: string, endpoints = ids) => {
      for (const id of endpoints) {
        const rows = await countRows(store, id);
        expect({ step, id, ...(await reported(store, id)) }).toEqual({ step, id, ...rows });
      }
    };

    // Ingest: pending to a and b, skipped to the disabled c; one stored failed (an import).
    const events = [];
    for (let i = 0; i < 8; i++) {
      events.push(eventRows(T0 + 10 + i, [a.id, b.id]));
      events.push(eventRows(T0 + 10 + i, [c.id], { status: DeliveryStatus.skipped }));
    }
    events.push(eventRows(T0 + 20, [a.id], { status: DeliveryStatus.failed }));
    await store.createEvents(events);
    await agree("ingest");
    expect(await reported(store, c.id)).toMatchObject({ skipped: 8 });

    // Outcomes: a's first three fail for good, b's first two; the rest succeed or retry.
    let now = T0 + 1000;
    const tick = () => {
      now += 10;
      return now;
    };
    const claimed = await store.claimDue({ now, leaseUntil: now + 60_000, ...LEASE });
    expect(claimed).toHaveLength(16);
    await agree("claimed");
    const seen = new Map<string, number>();
    const results = claimed.map((d) => {
      const n = seen.get(d.endpointId) ?? 0;
      seen.set(d.endpointId, n + 1);
      const finalFailure = (d.endpointId === a.id && n < 3) || (d.endpointId === b.id && n < 2);
      if (finalFailure) return outcome(d, now, { ok: false, nextAttemptAt: null });
      return outcome(d, now, n % 2 === 0 ? { ok: true } : { ok: false, nextAttemptAt: now + 5 });
    });
    await store.recordResults(results, now, ladder);
    await agree("outcomes recorded");
    expect(await reported(store, a.id)).toMatchObject({ failed: 4 });
    expect(await reported(store, b.id)).toMatchObject({ failed: 2 });

    // A manual retry of a failed delivery, then a resend of an event failed at both a and b.
    const failedOfA = await store.listDeliveries(TENANT, {
      endpointId: a.id,
      status: "failed",
      limit: 100,
    });
    await store.retryDelivery(TENANT, failedOfA.data[0]!.id, tick());
    await agree("delivery retried");
    const failedOfB = await store.listDeliveries(TENANT, {
      endpointId: b.id,
      status: "failed",
      limit: 100,
    });
    await store.retryEvent({
      tenantId: TENANT,
      eventId: failedOfB.data[0]!.eventId,
      endpointId: undefined,
      newDeliveryId: "dlv_unused",
      now: tick(),
    });
    await agree("event resent");

    // c enabled and recovered (skipped → pending), then disabled again (pending → skipped).
    await store.updateEndpoint({ ...c, status: "enabled" }, tick());
    await store.recoverDeliveries({
      tenantId: TENANT,
      endpointId: c.id,
      since: 0,
      until: now,
      now: tick(),
    });
    await agree("c recovered");
    await store.updateEndpoint({ ...c, status: "disabled" }, tick());
    await agree("c disabled");

    // A 410 from b disables it in the recorder: its pending deliveries become skipped, and the
    // claimed one's retry with them; the others fail for good.
    now += 1000;
    const again = await store.claimDue({ now, leaseUntil: now + 60_000, ...LEASE });
    expect(again.length).toBeGreaterThan(0);
    await agree("claimed again");
    await store.recordResults(
      again.map((d, i) =>
        d.endpointId === b.id && i === again.findIndex((x) => x.endpointId === b.id)
          ? outcome(d, now, { ok: false, status: 410, gone: true, nextAttemptAt: now + 5 })
          : outcome(d, now, { ok: false, nextAttemptAt: null }),
      ),
      now,
      ladder,
    );
    expect((await store.getEndpoint(TENANT, b.id))?.status).toBe("disabled");
    await agree("b gone");
    expect((await reported(store, b.id)).skipped).toBeGreaterThan(0);

    // Deleting c cancels what was open; its counts go with it (its rows stay until retention).
    await store.createEvents([eventRows(tick(), [a.id, c.id])]);
    expect(await store.deleteEndpoint(TENANT, c.id, tick())).toBe(true);
    await agree("c deleted", [a.id, b.id]);
    expect((await reported(store, a.id)).failed).toBeGreaterThan(0);
    expect((await reported(store, c.id)).skipped).toBe(0);

    // Retention: the first events (finished) go, with failed and skipped deliveries of a, b and
    // the deleted c; the last event's delivery to a is pending and stays.
    let after: number | undefined;
    do {
      const batch = await store.pruneBefore(now + DAY, { limit: 5, after });
      after = batch.next;
    } while (after !== undefined);
    await agree("pruned", [a.id, b.id]);
    expect(await reported(store, a.id)).toMatchObject({ failed: 0, skipped: 0 });
    expect(await reported(store, c.id)).toMatchObject({ failed: 0, skipped: 0 });
    const left = await countRows(store, a.id);
    expect(left.pending, `${name}: the open event stays`).toBe(1);
  });
});

/** What migration 0013 and those after it add, taken away again: the schema before 0013. */
const BEFORE_0013 = {
  sqlite: `DROP INDEX deliveries_endpoint_parked;
    DROP TRIGGER deliveries_endpoint_counts_update;
    DROP TRIGGER deliveries_endpoint_counts_delete;
    DROP TABLE endpoint_delivery_counts;
    PRAGMA user_version = 12;`,
  postgres: `DROP INDEX deliveries_endpoint_parked;
    DROP TABLE endpoint_delivery_counts;
    DROP FUNCTION deliveries_count_by_endpoint() CASCADE;
    DELETE FROM schema_migrations WHERE version >= 13;`,
};

/** Deliveries written before the migration: failed and skipped to a, skipped to a deleted b. */
async function history(store: Store) {
  const a = endpointRow(T0);
  const b = endpointRow(T0 + 1);
  const quiet = endpointRow(T0 + 2);
  for (const e of [a, b, quiet]) await store.createEndpoint(e);
  await store.createEvents([
    eventRows(T0 + 10, [a.id, b.id], { status: DeliveryStatus.failed }),
    eventRows(T0 + 11, [a.id], { status: DeliveryStatus.failed }),
    eventRows(T0 + 12, [a.id, b.id], { status: DeliveryStatus.skipped }),
    eventRows(T0 + 13, [a.id, quiet.id]),
  ]);
  await store.deleteEndpoint(TENANT, b.id, T0 + 20);
  return { a, quiet };
}

async function expectCounted(store: Store, { a, quiet }: Awaited<ReturnType<typeof history>>) {
  const none = { pending: 1, in_flight: 0, failed: 0, skipped: 0 };
  expect(await reported(store, a.id)).toEqual({ ...none, failed: 2, skipped: 1 });
  expect(await reported(store, quiet.id)).toEqual(none);
}

describe("the SQLite health report's count of open work", () => {
  it("reads the partial index of open deliveries, not every delivery of the endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-counts-"));
    const file = join(dir, "hookline.db");
    try {
      await createSqliteStore(file, { durability: "process" }).close();
      const raw = new Database(file);
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${OPEN_WORK}`).all("we_x") as {
        detail: string;
      }[];
      raw.close();
      expect(plan.map((p) => p.detail).join("; ")).toContain(
        "deliveries_endpoint_open (endpoint_id=? AND status=?)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("migration 0013", () => {
  it("counts on SQLite the failed and skipped deliveries stored before it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-counts-"));
    const file = join(dir, "hookline.db");
    try {
      const first = createSqliteStore(file, { durability: "process" });
      const endpoints = await history(first);
      await first.close();
      const raw = new Database(file);
      raw.exec(BEFORE_0013.sqlite);
      raw.close();
      const store = createSqliteStore(file, { durability: "process" });
      await expectCounted(store, endpoints);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts on PostgreSQL the failed and skipped deliveries stored before it", async () => {
    const db = await freshDatabase();
    try {
      const first = await createPostgresStore(db.url, { poolSize: 2 });
      const endpoints = await history(first);
      await first.close();
      const raw = new pg.Client({ connectionString: db.url });
      await raw.connect();
      await raw.query(BEFORE_0013.postgres);
      await raw.end();
      const store = await createPostgresStore(db.url, { poolSize: 2 });
      await expectCounted(store, endpoints);
      await store.close();
    } finally {
      await db.drop();
    }
  });

  it("on PostgreSQL counts a delivery that a node still on the old schema fails while it runs", async () => {
    // A rolling upgrade: an old node's transaction parks a delivery, uncommitted, as a new node
    // migrates. The migration must wait for it and count it, not backfill around it and then
    // create triggers that were not there for its update.
    const db = await freshDatabase();
    try {
      const first = await createPostgresStore(db.url, { poolSize: 2 });
      const endpoints = await history(first);
      await first.close();
      const oldNode = new pg.Client({ connectionString: db.url });
      await oldNode.connect();
      await oldNode.query(BEFORE_0013.postgres);
      await oldNode.query("BEGIN");
      const parked = await oldNode.query(
        "UPDATE deliveries SET status = 'failed' WHERE endpoint_id = $1 AND status = 'pending'",
        [endpoints.a.id],
      );
      expect(parked.rowCount).toBe(1);
      const migrating = createPostgresStore(db.url, { poolSize: 2 });
      expect(await lockWaiters(db.url, 1, migrating)).toBe("waiting");
      await oldNode.query("COMMIT");
      await oldNode.end();
      const store = await migrating;
      expect(await reported(store, endpoints.a.id)).toEqual({
        pending: 0,
        in_flight: 0,
        failed: 3,
        skipped: 1,
      });
      await store.close();
    } finally {
      await db.drop();
    }
  });
});
