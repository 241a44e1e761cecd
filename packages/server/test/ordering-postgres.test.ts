// PostgreSQL's own guarantee for ordered keys (docs/ordering.md): the key's row in
// `ordering_keys` is the mutex, whatever a claim's snapshot of the deliveries says.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import type { Store } from "../src/store/types.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { endpointRow, eventRows, outcome } from "./support/store-rows.ts";

const T0 = 1_750_000_000_000;

describe("ordered keys on PostgreSQL", () => {
  let db: FreshDatabase;
  let store: Store & { close(): Promise<void> };
  let endpointId: string;
  beforeEach(async () => {
    db = await freshDatabase();
    store = await createPostgresStore(db.url, { poolSize: 4 });
    const endpoint = endpointRow(T0, { ordering: "per_key" });
    await store.createEndpoint(endpoint);
    endpointId = endpoint.id;
    await store.createEvents(
      [1, 2].map((i) => eventRows(T0 + i, [endpointId], { orderingKey: "a" })),
    );
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  const claim = (now: number) =>
    store.claimDue({
      now,
      limit: 10,
      leaseUntil: now + 60_000,
      owner: "node-a",
      excludeEndpoints: [],
      perEndpoint: 10,
    });
  const running = async () =>
    (await db.pool.query<{ running: string | null }>("SELECT running FROM ordering_keys")).rows[0]!
      .running;

  it("passes over a key its row marks running, and the trigger keeps the mark from claim to outcome", async () => {
    await db.pool.query("UPDATE ordering_keys SET running = 999999");
    expect(await claim(T0 + 10)).toEqual([]);
    await db.pool.query("UPDATE ordering_keys SET running = NULL");
    const [first] = await claim(T0 + 11);
    expect(first).toMatchObject({ orderingKey: "a", sequence: 1 });
    const { rows } = await db.pool.query<{ seq: string }>(
      "SELECT seq FROM deliveries WHERE id = $1",
      [first!.id],
    );
    expect(await running()).toBe(rows[0]!.seq);
    await store.recordResults(
      [{ ...outcome(first!, T0 + 12, { ok: true }), leaseOwner: "node-a" }],
      T0 + 12,
      DEFAULT_LADDER,
    );
    expect(await running()).toBeNull();
    expect(await claim(T0 + 13)).toMatchObject([{ sequence: 2 }]);
  });

  it("skips a key whose row another transaction holds, without waiting, and takes it after", async () => {
    const other = await db.pool.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM ordering_keys FOR UPDATE");
      expect(await claim(T0 + 10)).toEqual([]);
      await other.query("COMMIT");
    } finally {
      other.release();
    }
    expect(await claim(T0 + 11)).toMatchObject([{ sequence: 1 }]);
  });
});
