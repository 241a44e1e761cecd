import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LADDER } from "../src/domain/health-ladder.ts";
import { IdPrefix, newId } from "../src/ids.ts";
import { createPool } from "../src/store/postgres/pool.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import { timelineQuery as postgresRaw } from "../src/store/postgres/timeline.ts";
import { bucketValue, latencyBucket, MINUTE } from "../src/store/rollups.ts";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { timelineQuery as sqliteRaw } from "../src/store/sqlite/timeline.ts";
import type { TenantStore } from "../src/store/tenant-types.ts";
import type { Store, Timeline, TimelineQuery } from "../src/store/types.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";
import { endpointRow, eventRows, outcome } from "./support/store-rows.ts";

// The charts read per-minute rollups written beside the rows; these tests hold their answers
// equal to the computation over the rows themselves (each store's timeline.ts) on generated
// histories. The rollups' p95 is the upper bound of the histogram bucket holding the raw p95.

const T0 = 1_750_000_020_000; // not on a minute: histories straddle minute boundaries
const WINDOW = 3 * 60 * MINUTE;
const START = Math.floor(T0 / MINUTE) * MINUTE;
const LADDER = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };

interface Attempt {
  endpoint: number;
  at: number;
  durationMs: number;
  ok: boolean;
}
const history = fc.record({
  endpoints: fc.integer({ min: 1, max: 3 }),
  events: fc.array(fc.integer({ min: 0, max: WINDOW - 1 }), { maxLength: 40 }),
  attempts: fc.array(
    fc.record({
      endpoint: fc.nat(2),
      at: fc.integer({ min: 0, max: WINDOW - 1 }),
      durationMs: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 200_000 })),
      ok: fc.boolean(),
    }),
    { maxLength: 60 },
  ),
});

/** Writes a history under a new tenant through the store's API; returns its scopes. */
async function write(
  store: Store & TenantStore,
  h: { endpoints: number; events: number[]; attempts: Attempt[] },
) {
  const tenantId = newId(IdPrefix.tenant);
  await store.createTenant({ id: tenantId, name: "t", metadata: {}, createdAt: T0, updatedAt: T0 });
  const endpoints = Array.from({ length: h.endpoints }, (_, i) =>
    endpointRow(T0 + i, { tenantId }),
  );
  for (const e of endpoints) await store.createEndpoint(e);
  const ofTenant = (at: number) => {
    const rows = eventRows(
      T0 + at,
      endpoints.map((e) => e.id),
    );
    rows.event.tenantId = tenantId;
    for (const d of rows.deliveries) d.tenantId = tenantId;
    return rows;
  };
  // In creation order: the raw computation finds a window's first event by `seq`.
  const events = [...h.events].sort((a, b) => a - b).map(ofTenant);
  const carrier = ofTenant(0); // the deliveries the attempts are of
  await store.createEvents([carrier, ...events]);
  const results = h.attempts.map((a) => {
    const endpoint = endpoints[a.endpoint % endpoints.length]!;
    const delivery = carrier.deliveries.find((d) => d.endpointId === endpoint.id)!;
    const r = outcome({ id: delivery.id, endpointId: endpoint.id, attemptCount: 0 }, T0 + a.at, {
      ok: a.ok,
    });
    r.attempt.durationMs = a.durationMs;
    return r;
  });
  // In a few batches, as the recorder commits them.
  for (let i = 0; i < results.length; i += 16) {
    await store.recordResults(results.slice(i, i + 16), T0 + WINDOW, LADDER);
  }
  return { tenantId, endpointIds: endpoints.map((e) => e.id) };
}

/** The raw computation's answer, its p95s read through the histogram as the rollups keep them. */
const quantized = (t: Timeline): Timeline => {
  const q = (p: number | null) => (p === null ? null : bucketValue(latencyBucket(p)));
  return {
    buckets: t.buckets.map((b) => ({ ...b, p95Ms: q(b.p95Ms) })),
    p95Ms: q(t.p95Ms),
  };
};

function queries(scopes: { tenantId: string; endpointIds: string[] }): TimelineQuery[] {
  const windows = [
    { since: START, until: START + WINDOW + MINUTE, bucketMs: MINUTE },
    { since: START + 30 * MINUTE, until: START + 90 * MINUTE, bucketMs: 5 * MINUTE },
  ];
  return windows.flatMap((w) => [
    { tenantId: scopes.tenantId, ...w },
    ...scopes.endpointIds.map((endpointId) => ({ tenantId: scopes.tenantId, endpointId, ...w })),
  ]);
}

const stores = [
  {
    name: "SQLite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "hookline-rollups-"));
      const file = join(dir, "hookline.db");
      const store = createSqliteStore(file, { durability: "process" });
      const raw = new Database(file, { readonly: true });
      const timeline = sqliteRaw(raw);
      return {
        store,
        raw: async (q: TimelineQuery) => timeline(q),
        async close() {
          raw.close();
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const db: FreshDatabase = await freshDatabase();
      const store = await createPostgresStore(db.url, { poolSize: 4 });
      const pool = createPool(db.url, { max: 2 }); // bigints as numbers, as the store reads them
      return {
        store,
        raw: postgresRaw(pool),
        async close() {
          await pool.end();
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

describe.each(stores)("the $name store's charts", ({ open }) => {
  let opened: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(() => opened?.close());

  it("answer from rollups what the rows answer, for the tenant and each endpoint, by the minute and by five", async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const scopes = await write(opened.store, h);
        for (const q of queries(scopes)) {
          const fromRollups = await opened.store.timeline(q);
          expect(fromRollups).toEqual(quantized(await opened.raw(q)));
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 25) },
    );
  }, 120_000);

  it("forget the minutes before the retention cutoff", async () => {
    const scopes = await write(opened.store, {
      endpoints: 1,
      events: [0, 90 * MINUTE],
      attempts: [{ endpoint: 0, at: 90 * MINUTE, durationMs: 5, ok: true }],
    });
    const cutoff = START + 60 * MINUTE;
    let batch = await opened.store.pruneBefore(cutoff, { limit: 100 });
    while (batch.next !== undefined) {
      batch = await opened.store.pruneBefore(cutoff, { limit: 100, after: batch.next });
    }
    const [tenant] = queries(scopes);
    const counts = (await opened.store.timeline(tenant!)).buckets.filter((b) => b.events > 0);
    expect(counts.map((b) => (b.start - START) / MINUTE)).toEqual([90]);
  });
});

describe("the PostgreSQL store's rollup shards", () => {
  let db: FreshDatabase;
  let store: Awaited<ReturnType<typeof createPostgresStore>>;
  let pool: ReturnType<typeof createPool>;
  beforeAll(async () => {
    db = await freshDatabase();
    store = await createPostgresStore(db.url, { poolSize: 4 });
    pool = createPool(db.url, { max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await db?.drop();
  });

  // Connections write a tenant's minute to their own shard; here each of a tenant's rows gets
  // copies on the next two shards, as if three connections had written the same counts.
  const shard = async (tenantId: string) => {
    for (const step of [1, 2]) {
      await pool.query(
        `INSERT INTO rollups (scope, minute, shard, events, attempts_ok, attempts_failed, latency)
         SELECT scope, minute, (shard + ${step}) % 8, events, attempts_ok, attempts_failed, latency
         FROM rollups WHERE scope = $1 AND shard = (SELECT min(shard) FROM rollups WHERE scope = $1)
         ON CONFLICT DO NOTHING`,
        [tenantId],
      );
    }
  };
  // What every minute of every scope counts, summed over its shards (histograms elementwise).
  const totals = async () =>
    (
      await pool.query(
        `SELECT scope, minute, sum(events)::integer AS events, sum(attempts_ok)::integer AS ok,
           sum(attempts_failed)::integer AS failed,
           (SELECT array_agg(t.n ORDER BY t.i) FROM (
              SELECT u.i, sum(u.n)::integer AS n FROM rollups s,
                unnest(s.latency) WITH ORDINALITY AS u (n, i)
              WHERE s.scope = r.scope AND s.minute = r.minute GROUP BY u.i) t) AS latency
         FROM rollups r GROUP BY scope, minute ORDER BY scope, minute`,
      )
    ).rows;
  // Every scope's (earlier runs' too: a fold takes every scope's past minutes).
  const rowsPerMinute = async () =>
    (
      await pool.query<{ scope: string; minute: number; rows: number; sharded: number }>(
        `SELECT scope, minute, count(*)::integer AS rows,
           (count(*) FILTER (WHERE shard <> 0))::integer AS sharded
         FROM rollups GROUP BY scope, minute ORDER BY scope, minute`,
      )
    ).rows;

  // A day's chart turns each stored count into text: histograms are kept without their
  // trailing zeros (postgres/rollups.ts), as written and as folded.
  it("stores each histogram up to its last non-zero count, written and folded", async () => {
    const trailingZeros = async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM rollups
           WHERE cardinality(latency) > 1 AND latency[cardinality(latency)] = 0`,
        )
      ).rows[0]!.n;
    const scopes = await write(store, {
      endpoints: 2,
      events: [],
      attempts: [1, 3, 30, 35, 2_500].map((durationMs, i) => ({
        endpoint: i % 2,
        at: (i % 2) * MINUTE,
        durationMs,
        ok: true,
      })),
    });
    await shard(scopes.tenantId);
    expect(await trailingZeros()).toBe(0);
    const lengths = await pool.query<{ scope: string; length: number }>(
      "SELECT scope, max(cardinality(latency))::integer AS length FROM rollups WHERE scope = ANY($1) GROUP BY scope ORDER BY scope",
      [[scopes.tenantId, ...scopes.endpointIds]],
    );
    expect(lengths.rows.map((r) => r.length).sort()).toEqual(
      [latencyBucket(35), latencyBucket(2_500), latencyBucket(2_500)].map((b) => b + 1).sort(),
    );
    for (let n = 7; n === 7; ) n = await store.compactRollups!(START + WINDOW, 7);
    expect(await trailingZeros()).toBe(0);
  });

  it("folds past minutes' shards into one row each, counting the same, and the charts answer the same", async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.integer({ min: 0, max: WINDOW }), async (h, foldAt) => {
        const scopes = await write(store, h);
        await shard(scopes.tenantId);
        const before = START + foldAt;
        const minutes = await rowsPerMinute();
        const counted = await totals();
        const charts = await Promise.all(queries(scopes).map((q) => store.timeline(q)));
        let folded = 0;
        for (let n = 7; n === 7; folded += n) n = await store.compactRollups!(before, 7);
        const past = minutes.filter((r) => r.minute < before);
        expect(folded).toBe(past.reduce((a, r) => a + r.sharded, 0));
        const after = await rowsPerMinute();
        expect(after.filter((r) => r.minute < before)).toEqual(
          past.map((r) => ({ ...r, rows: 1, sharded: 0 })),
        );
        expect(after.filter((r) => r.minute >= before)).toEqual(
          minutes.filter((r) => r.minute >= before),
        );
        expect(await totals()).toEqual(counted);
        expect(await Promise.all(queries(scopes).map((q) => store.timeline(q)))).toEqual(charts);
      }),
      { numRuns: Number(process.env.RUNS ?? 15) },
    );
  }, 120_000);
});
