import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cursorStatement,
  LISTS,
  type ListQuery,
  type Placeholder,
  pageStatement,
} from "../src/store/list-query.ts";
import { placeholder as pgPlaceholder } from "../src/store/postgres/paginate.ts";
import { createPostgresStore } from "../src/store/postgres/postgres-store.ts";
import { RECOVER as pgRecover } from "../src/store/postgres/requeue.ts";
import { readRollupsSql } from "../src/store/rollups.ts";
import { listSource, placeholder as sqlitePlaceholder } from "../src/store/sqlite/paginate.ts";
import { RECOVER as sqliteRecover } from "../src/store/sqlite/requeue.ts";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { DeliveryFilters, EventFilters, ListOptions } from "../src/store/types.ts";
import { type FreshDatabase, freshDatabase } from "./support/postgres.ts";

// Every list of both stores, over every combination of its filters and cursors, through the
// planner on tables large enough for it to prefer a scan where no index fits: a full scan of a
// table, or a sort of the rows (instead of reading them in index order), fails the test. Nothing
// here is timed, so a fast machine cannot make it pass.

const TENANTS = ["tn_default", "tn_b", "tn_c"];
const EVENTS = 30_000;
const ENDPOINTS = 600;
const KEYS = 600;
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

const combos = <T extends object>(choices: { [K in keyof T]: readonly T[K][] }): T[] => {
  let out: Partial<T>[] = [{}];
  for (const key of Object.keys(choices) as (keyof T)[]) {
    out = out.flatMap((o) => (choices[key] as unknown[]).map((v) => ({ ...o, [key]: v })));
  }
  return out as T[];
};

const eventFilters = combos<Omit<EventFilters, keyof ListOptions>>({
  type: [undefined, "type.3", "type.*"],
  createdGte: [undefined, T0 + HOUR],
  createdLte: [undefined, T0 + 5 * HOUR],
  deliverySuccess: [undefined, false, true],
});
const deliveryFilters = combos<Omit<DeliveryFilters, keyof ListOptions>>({
  eventId: [undefined, "evt_00001000"],
  endpointId: [undefined, "we_00005"],
  status: [undefined, "failed", "succeeded"],
});

/** Every list and filter combination, named, built by the functions the stores call. */
const listQueries = (): { name: string; query: ListQuery }[] => {
  const cases = {
    events: eventFilters.map((f) => LISTS.events("tn_b", { ...f, limit: 100 })),
    deliveries: deliveryFilters.map((f) => LISTS.deliveries("tn_b", { ...f, limit: 100 })),
    endpoints: [LISTS.endpoints("tn_b")],
    apiKeys: [LISTS.apiKeys("tn_b"), LISTS.apiKeys(undefined)],
  } satisfies Record<keyof typeof LISTS, ListQuery[]>;
  return Object.entries(cases).flatMap(([list, queries]) =>
    queries.map((query) => ({
      name: `${list} ${JSON.stringify(query.params.slice(1)).replace(/"/g, "")}: ${query.where.join(" AND ")}`,
      query,
    })),
  );
};

const CURSORS: { mode: string; options: ListOptions; values?: (q: ListQuery) => unknown[] }[] = [
  { mode: "first page", options: { limit: 100 } },
  {
    mode: "starting_after",
    options: { limit: 100, startingAfter: "x" },
    values: (q) => q.order.map((c) => (c === "created_at" ? T0 + 3 * HOUR : 5_000)),
  },
  {
    mode: "ending_before",
    options: { limit: 100, endingBefore: "x" },
    values: (q) => q.order.map((c) => (c === "created_at" ? T0 + 3 * HOUR : 5_000)),
  },
];

/**
 * The statements one list runs: its cursor lookup and its page in each cursor mode, from the
 * table as the store names it (`from`).
 */
function statements(query: ListQuery, p: Placeholder, from = query.table) {
  return [
    { mode: "cursor lookup", ...cursorStatement(query, "x", p) },
    ...CURSORS.map((c) => ({
      mode: c.mode,
      ...pageStatement(query, c.options, c.values?.(query), p, from),
    })),
  ];
}

/**
 * The filter a page must walk an index by, ranked narrowest first as a history grows: one
 * event's deliveries, one endpoint's, the failing events, one type's, one status's, a range of
 * `created`. The others are checked row by row. Filters that keep most rows by design have no
 * rank: a `type` prefix and `delivery_success=true` (list-query.ts says why).
 */
const RANKED: [RegExp, string][] = [
  [/^event_id = /, "event_id"],
  [/^endpoint_id = /, "endpoint_id"],
  [/^failing_deliveries > 0$/, "failing_deliveries"],
  [/^type = /, "type"],
  [/^status = /, "status"],
  [/^created_at [<>]=/, "created_at"],
];
function narrowest(query: ListQuery): string | undefined {
  for (const [pattern, column] of RANKED) {
    if (query.where.some((w) => pattern.test(w))) return column;
  }
  return undefined;
}

// The SQL the fill writes is the rows ingest and the recorder write, in bulk: one delivery per
// event, statuses mixed, a tenth failing, all to six endpoints (so that one endpoint has
// thousands: a sort of those would be the whole-history sort this test is about).
const STATUS = `CASE WHEN n % 10 = 0 THEN 'failed' WHEN n % 10 = 1 THEN 'pending' ELSE 'succeeded' END`;

describe("every list of the SQLite store", () => {
  let dir: string;
  let raw: Database.Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-plans-"));
    const file = join(dir, "hookline.db");
    await (await Promise.resolve(createSqliteStore(file, { durability: "process" }))).close();
    raw = new Database(file);
    raw.exec(`
      INSERT INTO tenants (id, name, created_at) VALUES ('tn_b', 'b', 0), ('tn_c', 'c', 0);
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ENDPOINTS})
      INSERT INTO endpoints (id, tenant_id, url, enabled_events, metadata, signature_schemes, status, secret, created_at, updated_at)
        SELECT printf('we_%05d', n), ${tenantOf("n")}, 'https://example.com', '["*"]', '{}', '["stripe"]', 'enabled', 's', n, n FROM s;
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${KEYS})
      INSERT INTO api_keys (id, tenant_id, key_hash, key_hint, created_at)
        SELECT printf('key_%05d', n), ${tenantOf("n")}, randomblob(32), 'h', n FROM s;
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${EVENTS})
      INSERT INTO events (id, tenant_id, type, created_at, payload)
        SELECT printf('evt_%08d', n), ${tenantOf("n")}, 'type.' || (n % 20), ${T0} + n * 1000, zeroblob(100) FROM s;
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${EVENTS})
      INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
        SELECT printf('dlv_%08d', n), ${tenantOf("n")}, printf('evt_%08d', n), printf('we_%05d', n % 6 + 1),
          ${STATUS}, CASE WHEN n % 10 = 1 THEN 0 ELSE 1 END, CASE WHEN n % 10 = 1 THEN ${T0} ELSE NULL END,
          ${T0} + n * 1000, ${T0} + n * 1000 FROM s;
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${EVENTS})
      INSERT INTO rollups (scope, minute, shard, latency)
        SELECT ${scopeOf("n")}, (n / 30) * 60000, 0, zeroblob(204) FROM s;
    `);
  });
  afterAll(() => {
    raw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a day of a scope's rollups through the primary key", () => {
    const plan = raw
      .prepare(`EXPLAIN QUERY PLAN ${readRollupsSql(sqlitePlaceholder)}`)
      .all("tn_b", T0, T0 + 86_400_000) as { detail: string }[];
    const details = plan.map((row) => row.detail);
    expect(details).toEqual([expect.stringMatching(/^SEARCH rollups USING PRIMARY KEY/)]);
  });

  // Not a list, but the same question: requeueing what failed since an outage began must not
  // walk every delivery the endpoint ever had.
  it("recovers an endpoint's failed and skipped deliveries through their own index", () => {
    const plan = raw
      .prepare(`EXPLAIN QUERY PLAN ${sqliteRecover}`)
      .all(1, 1, "tn_b", "we_00005", T0, T0 + HOUR) as { detail: string }[];
    expect(plan.map((row) => row.detail)).toEqual([
      expect.stringMatching(/^SEARCH deliveries USING INDEX deliveries_endpoint_parked /),
    ]);
  });

  for (const { name, query } of listQueries()) {
    it(`reads ${name} through an index, in its order`, () => {
      for (const s of statements(query, sqlitePlaceholder, listSource(query))) {
        const plan = raw.prepare(`EXPLAIN QUERY PLAN ${s.text}`).all(...s.values) as {
          detail: string;
        }[];
        const details = plan.map((row) => row.detail);
        expect(sqliteProblems(details, query), `${s.mode}: ${details.join(" | ")}`).toEqual([]);
        if (s.mode === "cursor lookup") continue; // one row, by id
        expect(
          sqliteWalksBy(raw, details, query),
          `${s.mode} walks by ${narrowest(query)}: ${details.join(" | ")}`,
        ).toBe(true);
      }
    });
  }
});

describe("every list of the PostgreSQL store", () => {
  let db: FreshDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    await (await createPostgresStore(db.url, { poolSize: 1 })).close();
    await db.pool.query(`
      INSERT INTO tenants (id, name, created_at) VALUES ('tn_b', 'b', 0), ('tn_c', 'c', 0);
      INSERT INTO endpoints (id, tenant_id, url, enabled_events, metadata, signature_schemes, status, secret, created_at, updated_at)
        SELECT format('we_%s', lpad(n::text, 5, '0')), ${tenantOf("n")}, 'https://example.com', '["*"]', '{}', '["stripe"]', 'enabled', 's', n, n
        FROM generate_series(1, ${ENDPOINTS}) n;
      INSERT INTO api_keys (id, tenant_id, key_hash, key_hint, created_at)
        SELECT format('key_%s', lpad(n::text, 5, '0')), ${tenantOf("n")}, sha256(n::text::bytea), 'h', n
        FROM generate_series(1, ${KEYS}) n;
      INSERT INTO events (id, tenant_id, type, created_at, payload)
        SELECT format('evt_%s', lpad(n::text, 8, '0')), ${tenantOf("n")}, 'type.' || (n % 20), ${T0} + n * 1000, '{}'
        FROM generate_series(1, ${EVENTS}) n;
      INSERT INTO deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
        SELECT format('dlv_%s', lpad(n::text, 8, '0')), ${tenantOf("n")}, format('evt_%s', lpad(n::text, 8, '0')),
          format('we_%s', lpad((n % 6 + 1)::text, 5, '0')), ${STATUS},
          CASE WHEN n % 10 = 1 THEN 0 ELSE 1 END, CASE WHEN n % 10 = 1 THEN ${T0} END, ${T0} + n * 1000, ${T0} + n * 1000
        FROM generate_series(1, ${EVENTS}) n;
      INSERT INTO rollups (scope, minute, shard, latency)
        SELECT ${scopeOf("n")}, (n / 30) * 60000, 0, array_fill(0, ARRAY[51]) FROM generate_series(1, ${EVENTS}) n;
      ANALYZE;
    `);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("reads a day of a scope's rollups through the primary key", async () => {
    const { rows } = await db.pool.query<{ "QUERY PLAN": [{ Plan: PgPlan }] }>(
      `EXPLAIN (FORMAT JSON) ${readRollupsSql(pgPlaceholder)}`,
      ["tn_b", 60_000 * 100, 60_000 * 1540],
    );
    const plan = rows[0]!["QUERY PLAN"][0].Plan;
    expect(pgProblems(plan), JSON.stringify(plan)).toEqual([]);
    expect(JSON.stringify(plan)).toContain("rollups_pkey");
  });

  it("recovers an endpoint's failed and skipped deliveries through their own index", async () => {
    const { rows } = await db.pool.query<{ "QUERY PLAN": [{ Plan: PgPlan }] }>(
      `EXPLAIN (FORMAT JSON) ${pgRecover}`,
      [1, "tn_b", "we_00005", T0, T0 + HOUR],
    );
    const plan = rows[0]!["QUERY PLAN"][0].Plan;
    expect(pgProblems(plan), JSON.stringify(plan)).toEqual([]);
    expect(JSON.stringify(plan)).toContain("deliveries_endpoint_parked");
  });

  for (const { name, query } of listQueries()) {
    it(`reads ${name} through an index, in its order`, async () => {
      for (const s of statements(query, pgPlaceholder)) {
        const { rows } = await db.pool.query<{ "QUERY PLAN": [{ Plan: PgPlan }] }>(
          `EXPLAIN (FORMAT JSON) ${s.text}`,
          s.values,
        );
        const plan = rows[0]!["QUERY PLAN"][0].Plan;
        expect(pgProblems(plan), `${s.mode}: ${JSON.stringify(plan)}`).toEqual([]);
        if (s.mode === "cursor lookup") continue; // one row, by id
        expect(
          await pgWalksBy(db, plan, query),
          `${s.mode} walks by ${narrowest(query)}: ${JSON.stringify(plan)}`,
        ).toBe(true);
      }
    });
  }
});

/** Rollups: a tenant and 29 endpoints, each with a row every minute. */
function scopeOf(n: string): string {
  return `(CASE ${n} % 30 WHEN 0 THEN 'tn_b' ELSE 'we_' || (${n} % 30) END)`;
}

function tenantOf(n: string): string {
  return `(CASE ${n} % 3 ${TENANTS.map((t, i) => `WHEN ${i} THEN '${t}'`).join(" ")} END)`;
}

/**
 * A sort SQLite adds for the order (it has no row estimates to tell a small one), or a scan of
 * a table or a whole index, unless the list has no condition at all: that scan walks the rowid
 * in the list's order and stops at the page's end.
 */
function sqliteProblems(details: readonly string[], query: ListQuery): string[] {
  const unconditional = query.where.every((w) => w === "TRUE");
  return details.filter(
    (d) =>
      /TEMP B-TREE/.test(d) ||
      (/^SCAN (events|deliveries|attempts|endpoints|api_keys)\b/.test(d) && !unconditional),
  );
}

interface PgPlan {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Plan Rows": number;
  Plans?: PgPlan[];
}

// The planner sorts a few dozen rows fetched by a bitmap rather than walk an index in order,
// and is right to: a sort is a problem when what it sorts grows with the history.
const SORT_ROWS = 1_000;

/** A sequential scan, or a sort of more rows than a few pages (what the index should order). */
function pgProblems(plan: PgPlan): string[] {
  const type = plan["Node Type"];
  const sorted = (plan.Plans ?? []).reduce((n, child) => n + child["Plan Rows"], 0);
  const own =
    type === "Seq Scan" || (/Sort/.test(type) && sorted > SORT_ROWS)
      ? [`${type} ${plan["Relation Name"] ?? `of ${sorted} rows`}`]
      : [];
  return [...own, ...(plan.Plans ?? []).flatMap(pgProblems)];
}

/**
 * Whether SQLite's page walks an index by the list's narrowest filter: the column is one of the
 * index's search terms, or the index holds only the rows it keeps (a partial index's WHERE).
 */
function sqliteWalksBy(
  db: Database.Database,
  details: readonly string[],
  query: ListQuery,
): boolean {
  const column = narrowest(query);
  if (column === undefined) return true;
  for (const d of details) {
    const m = new RegExp(
      `^SEARCH ${query.table} USING (?:COVERING )?INDEX (\\w+) \\((.*)\\)$`,
    ).exec(d);
    if (m === null) continue;
    if (new RegExp(`\\b${column}[=<>]`).test(m[2]!)) return true;
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").pluck().get(m[1]);
    if (new RegExp(`WHERE.*\\b${column}\\b`).test(String(sql))) return true;
  }
  return false;
}

/**
 * The same for PostgreSQL: the column in an index scan's condition, or in a partial index's
 * WHERE. Its planner chooses by statistics, and for a filter that keeps a sixth of the tenant's
 * rows or more (an endpoint, a status, in this fill) it walks the primary key and filters, which
 * finds a page sooner: it is right to, so those are not held to it here.
 */
const PG_SELECTIVE = ["event_id", "failing_deliveries", "type", "created_at"];
async function pgWalksBy(db: FreshDatabase, plan: PgPlan, query: ListQuery): Promise<boolean> {
  const column = narrowest(query);
  if (column === undefined || !PG_SELECTIVE.includes(column)) return true;
  const scans: PgPlan[] = [];
  const visit = (node: PgPlan) => {
    if (node["Index Name"] !== undefined) scans.push(node);
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  for (const scan of scans) {
    const { rows } = await db.pool.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE indexname = $1 AND tablename = $2",
      [scan["Index Name"], query.table],
    );
    if (rows.length === 0) continue; // another table's (a subquery's)
    if (new RegExp(`\\b${column}\\b`).test(scan["Index Cond"] ?? "")) return true;
    if (new RegExp(`WHERE.*\\b${column}\\b`).test(rows[0]!.indexdef)) return true;
  }
  return false;
}
