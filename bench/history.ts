/**
 * History that costs nothing: every list and chart of the API timed against how many events
 * the store holds, on SQLite and PostgreSQL, through the store API (no HTTP: the calls' own
 * cost, not the server's).
 *
 *   npm run bench:history                        100,000 events, both stores
 *   npm run bench:history -- --sizes=100000,1000000 --write   the issue's sizes; rewrites docs
 *   npm run bench:history -- --stores=sqlite --retention      also retention beside ingest
 *   npm run bench:history -- --retention --expired=1000000    retention of a million events
 *   npx tsx bench/history.ts --stores=postgres --retention-only --expired=200000 --window=60
 *       retention alone (no list timings), ingest timed over the pass's first 60 s, then stopped
 *   --duty=1 --target-ms=10 --batch-size=500   override retentionPacing (--duty=1: no rests)
 *
 * Fill: createEvents in batches of 500 (one endpoint, ~800-byte payloads, one delivery each,
 * created over the last 24 h; 2% of deliveries stored failed), then one attempt per delivery
 * through recordResults (attempt rows and rollups, as the recorder writes them; the deliveries
 * are stored in their final state rather than claimed). Each call is timed 40 times after a
 * warm-up; p50 and p95 in ms. Bytes per event: the database's size over its events. RSS: this
 * process (on SQLite the database is in it; PostgreSQL's server is another process).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LADDER } from "../packages/server/src/domain/health-ladder.ts";
import { createRetention, retentionPacing } from "../packages/server/src/maintenance/retention.ts";
import { createPostgresStore } from "../packages/server/src/store/postgres/postgres-store.ts";
import { MINUTE } from "../packages/server/src/store/rollups.ts";
import { createSqliteStore } from "../packages/server/src/store/sqlite/sqlite-store.ts";
import type { Store } from "../packages/server/src/store/types.ts";
import {
  endpointRow,
  eventRows,
  outcome,
  TENANT,
} from "../packages/server/test/support/store-rows.ts";
import { createDatabase, postgresServer } from "./postgres-setup.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000" },
    stores: { type: "string", default: "sqlite,postgres" },
    retention: { type: "boolean", default: false },
    expired: { type: "string", default: "100000" },
    "retention-only": { type: "boolean", default: false },
    window: { type: "string" },
    duty: { type: "string" },
    "target-ms": { type: "string" },
    "batch-size": { type: "string" },
    write: { type: "boolean", default: false },
  },
});
const SIZES = flags.sizes.split(",").map(Number);
const BATCH = 500;
const DAY = 24 * 60 * MINUTE;
const PAYLOAD = Buffer.alloc(800, "x");
const ladder = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };

interface Opened {
  store: Store;
  bytes(): Promise<number>;
  /** After a bulk fill: what the database's own background work would have done by now. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-history-"));
  const file = join(dir, "hookline.db");
  const store = createSqliteStore(file, { durability: "process" });
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return {
    store,
    bytes: async () => size(file) + size(`${file}-wal`),
    settle: async () => undefined,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(serverUrl: string, n: number): Promise<Opened> {
  const url = await createDatabase(serverUrl, `history_${n}`);
  const store = await createPostgresStore(url, { poolSize: 4 });
  const pg = (await import("pg")).default;
  return {
    store,
    async bytes() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query("SELECT pg_database_size(current_database()) AS b");
      await client.end();
      return Number(rows[0].b);
    },
    // What background work does within a minute or two of a bulk load, which the fill outruns:
    // - autovacuum analyzes the tables (a planner that still believes them tiny reads lists by
    //   sort and bitmap: 643 ms for an endpoint's deliveries at 1,000,000 in one run) and, for
    //   inserts past a fifth of a table, vacuums them, which sets the visibility map that lets
    //   the endpoint's health count its open deliveries from the index alone;
    // - Hookline's retention pass (every minute) folds past minutes' rollup shards into one row;
    // - the checkpointer writes out what the fill and the vacuum dirtied (gigabytes at 1,000,000
    //   events), which otherwise goes on through the timed calls: a transient of the bulk fill,
    //   not a cost of the history's size.
    async settle() {
      let folded: number | undefined;
      do folded = await store.compactRollups?.(Date.now() - 2 * MINUTE, 10_000);
      while (folded === 10_000);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("VACUUM ANALYZE");
      await client.query("CHECKPOINT");
      await client.end();
    },
    close: () => store.close(),
  };
}

/** Fills to `target` events; returns events/s of the ingest part and the ids it needs. */
async function fill(store: Store, from: number, target: number, now: number, endpointId: string) {
  let ingestMs = 0;
  const ids: string[] = [];
  for (let i = from; i < target; i += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, target - i) }, (_, j) => {
      const at = now - DAY + Math.floor(((i + j) / target) * DAY);
      const r = eventRows(at, [endpointId], {
        type: (i + j) % 10 === 0 ? "invoice.payment_failed" : "charge.succeeded",
        status: (i + j) % 50 === 0 ? "failed" : "succeeded",
      });
      r.event.payload = PAYLOAD;
      return r;
    });
    const t = performance.now();
    await store.createEvents(rows);
    ingestMs += performance.now() - t;
    const results = rows.map((r) => {
      const d = r.deliveries[0]!;
      const o = outcome({ id: d.id, endpointId, attemptCount: 0 }, r.event.createdAt, {
        ok: d.status === "succeeded",
      });
      o.attempt.durationMs = 20 + ((i * 7) % 300);
      return o;
    });
    await store.recordResults(results, now, ladder);
    ids.push(rows[Math.floor(rows.length / 2)]!.event.id);
  }
  return { eventsPerSecond: ((target - from) / ingestMs) * 1000, ids };
}

// Nearest-rank percentiles of 40 timed calls: the p95 is the 38th, so one stall of the machine
// shows as a tail without being all of it (of 15, as this used to take, the p95 was the worst).
const SAMPLES = 40;
async function time(call: () => Promise<unknown>) {
  await call();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const rank = (p: number) => ms[Math.ceil(p * SAMPLES) - 1]!;
  return { p50: rank(0.5), p95: rank(0.95) };
}

function calls(store: Store, now: number, middleId: string, endpointId: string) {
  return {
    "events?limit=100": () => store.listEvents(TENANT, { limit: 100 }),
    "events created[lte]=midpoint": () =>
      store.listEvents(TENANT, { limit: 100, createdLte: now - DAY / 2 }),
    "events delivery_success=false": () =>
      store.listEvents(TENANT, { limit: 100, deliverySuccess: false }),
    "events starting_after=<middle>": () =>
      store.listEvents(TENANT, { limit: 100, startingAfter: middleId }),
    "deliveries status=failed": () =>
      store.listDeliveries(TENANT, { limit: 100, status: "failed" }),
    "stats 24h (tenant)": () =>
      store.timeline({
        tenantId: TENANT,
        since: Math.floor(now / MINUTE) * MINUTE + MINUTE - DAY,
        until: Math.floor(now / MINUTE) * MINUTE + MINUTE,
        bucketMs: MINUTE,
      }),
    "deliveries endpoint=…": () => store.listDeliveries(TENANT, { limit: 100, endpointId }),
    "deliveries event=<middle>": () =>
      store.listDeliveries(TENANT, { limit: 100, eventId: middleId }),
    "endpoint health": () => store.endpointActivity(endpointId, now - DAY, 1000),
    "events/{id}": () => store.getEvent(TENANT, middleId),
    "events type=…": () => store.listEvents(TENANT, { limit: 100, type: "invoice.payment_failed" }),
  };
}

/**
 * p50/p99 of one-event ingests every 5 ms while `during` runs, for at most `seconds`; for
 * `seconds` (default 10) when there is nothing to run beside.
 */
async function ingestLatency(
  store: Store,
  endpointId: string,
  during: Promise<unknown> | undefined,
  seconds = during === undefined ? 10 : Number.POSITIVE_INFINITY,
) {
  const ms: number[] = [];
  let running = true;
  void during?.finally(() => {
    running = false;
  });
  const end = performance.now() + seconds * 1000;
  while (running && performance.now() < end) {
    const t = performance.now();
    await store.createEvents([eventRows(Date.now(), [endpointId])]);
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  ms.sort((a, b) => a - b);
  return {
    p50: ms[Math.floor(ms.length / 2)]!,
    p99: ms[Math.floor(ms.length * 0.99)]!,
    n: ms.length,
  };
}

/**
 * Retention as the server runs it (`createRetention`, its batch sizing and pauses), over
 * `expired` events back-dated past the window, beside one-event ingests every 5 ms; then the
 * same number of new events, to show whether the file grows again or reuses what was freed.
 */
async function retentionRun(kind: string, expired: number) {
  const aged = await openSqliteOrSame(kind, server?.url);
  const e = endpointRow(Date.now());
  await aged.store.createEndpoint(e);
  await fill(aged.store, 0, expired, Date.now() - 2 * DAY, e.id);
  await aged.settle();
  const before = await aged.bytes();
  const window = flags.window === undefined ? undefined : Number(flags.window);
  const quiet = await ingestLatency(aged.store, e.id, undefined, window);
  const quietLog = () => undefined;
  const log = { debug: quietLog, info: quietLog, warn: quietLog, error: quietLog };
  const pacing = retentionPacing(kind === "postgres" ? "postgres" : "sqlite");
  if (flags.duty !== undefined) pacing.dutyCycle = Number(flags.duty);
  if (flags["target-ms"] !== undefined) pacing.batchTargetMs = Number(flags["target-ms"]);
  if (flags["batch-size"] !== undefined) pacing.batchSize = Number(flags["batch-size"]);
  const retention = createRetention({
    store: aged.store,
    retentionMs: 1.5 * DAY,
    clock: Date.now,
    log,
    ...pacing,
  });
  const started = performance.now();
  let passEndedMs: number | undefined;
  const pass = retention.runOnce().finally(() => {
    passEndedMs = performance.now() - started;
  });
  const busy = await ingestLatency(aged.store, e.id, pass, window);
  // With --window the pass is stopped after it (its batch running commits first).
  await retention.stop();
  const totals = await pass;
  const passMs = performance.now() - started;
  const shape = `batches of at most ${pacing.batchSize} aiming at ${pacing.batchTargetMs} ms, duty cycle ${pacing.dutyCycle}`;
  const timed =
    window === undefined
      ? "the whole pass"
      : passEndedMs !== undefined && passEndedMs < window * 1000
        ? `the pass, which ended after ${(passEndedMs / 1000).toFixed(1)} s, before the ${window} s window did`
        : `the pass's first ${window} s (then stopped)`;
  const afterPrune = await aged.bytes();
  // The refill shows whether the space freed is reused; a stopped pass freed only part of it.
  if (window === undefined) await fill(aged.store, 0, expired, Date.now(), e.id);
  const refilled = await aged.bytes();
  say(
    `Retention beside steady ingest (${kind}, ${expired.toLocaleString("en")} expired events, one delivery and one attempt each; ${shape}; ingest timed over ${timed}, alone over ${window ?? 10} s before): the server's retention pass deleted ${totals.events.toLocaleString("en")} events in ${(passMs / 1000).toFixed(1)} s (${totals.batches.toLocaleString("en")} batches, ${Math.round(totals.events / (passMs / 1000)).toLocaleString("en")} events/s); one-event ingest every 5 ms, p50 / p99 ${f(quiet.p50)} / ${f(quiet.p99)} ms alone, ${f(busy.p50)} / ${f(busy.p99)} ms during the pass (${(busy.p99 / quiet.p99).toFixed(2)}×, ${busy.n.toLocaleString("en")} ingests). Database ${(before / 1e6).toFixed(0)} MB before, ${(afterPrune / 1e6).toFixed(0)} MB after the pass${window === undefined ? `, ${(refilled / 1e6).toFixed(0)} MB after ${expired.toLocaleString("en")} new events` : ""}.`,
  );
  say("");
  await aged.close();
}

const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const lines: string[] = [];
const say = (s: string) => {
  console.log(s);
  lines.push(s);
};

const stores = flags.stores.split(",");
const server = stores.includes("postgres") ? await postgresServer() : undefined;
try {
  say(
    `Store-level calls, p50 / p95 ms (nearest rank) of ${SAMPLES} after a warm-up; one endpoint, ~1 KB events.`,
  );
  say("");
  for (const kind of stores) {
    if (flags["retention-only"]) {
      await retentionRun(kind, Number(flags.expired));
      continue;
    }
    const opened = kind === "sqlite" ? await openSqlite() : await openPostgres(server!.url, 0);
    const { store } = opened;
    const endpoint = endpointRow(Date.now());
    await store.createEndpoint(endpoint);
    const now = Date.now();
    let filled = 0;
    let ids: string[] = [];
    const rows: string[][] = [];
    const header = ["call"];
    for (const size of SIZES) {
      const result = await fill(store, filled, size, now, endpoint.id);
      ids = ids.concat(result.ids);
      filled = size;
      // As retention leaves them each minute on PostgreSQL: past minutes' shards folded.
      while ((await store.compactRollups?.(Date.now() - 2 * MINUTE, 500)) === 500);
      await opened.settle();
      header.push(`${size.toLocaleString("en")} events`);
      const middle = ids[Math.floor(ids.length / 2)]!;
      const measured = calls(store, now, middle, endpoint.id);
      let r = 0;
      for (const [name, call] of Object.entries(measured)) {
        const { p50, p95 } = await time(call);
        rows[r] ??= [`\`${name}\``];
        rows[r]!.push(`${f(p50)} / ${f(p95)}`);
        r++;
      }
      const extras: [string, string][] = [
        ["ingest (createEvents, 500 a batch), events/s", result.eventsPerSecond.toFixed(0)],
        ["bytes per event", ((await opened.bytes()) / size).toFixed(0)],
        ["RSS of this process, MB", (process.memoryUsage().rss / 1e6).toFixed(0)],
      ];
      for (const [name, value] of extras) {
        rows[r] ??= [name];
        rows[r]!.push(value);
        r++;
      }
    }
    say(`### ${kind === "sqlite" ? "SQLite" : "PostgreSQL"}`);
    say("");
    say(`| ${header.join(" | ")} |`);
    say(`|${header.map(() => "---").join("|")}|`);
    for (const row of rows) say(`| ${row.join(" | ")} |`);
    say("");
    if (flags.retention) await retentionRun(kind, Number(flags.expired));
    await opened.close();
  }
} finally {
  await server?.stop();
}

async function openSqliteOrSame(kind: string, url: string | undefined): Promise<Opened> {
  return kind === "sqlite" ? openSqlite() : openPostgres(url!, 1);
}

if (flags.write) {
  writeSection("docs/benchmarks.md", {
    name: "history",
    title: "History: lists and charts against the size of the history",
    report: `Command: \`npm run bench:history -- --sizes=${flags.sizes} --write\`. Figures on a shared 2-core machine under other load: noisy.\n\n${lines.join("\n")}`,
  });
}
