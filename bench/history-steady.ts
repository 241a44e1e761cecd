/**
 * Does PostgreSQL's footprint stay bounded under steady ingest and retention? Ingests at a fixed
 * rate (events with one delivery and one attempt, ~1 KB, as bench/history.ts writes them)
 * with the server's retention running beside it (`createRetention`, retentionPacing's
 * PostgreSQL defaults) on a short window, and prints the tables' sizes (heap, indexes and
 * TOAST) and their dead rows every `--sample` seconds. Autovacuum is PostgreSQL's default.
 *
 *   npx tsx bench/history-steady.ts --rate=500 --window=60 --minutes=8
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { DEFAULT_LADDER } from "../packages/server/src/domain/health-ladder.ts";
import { createRetention, retentionPacing } from "../packages/server/src/maintenance/retention.ts";
import { createPostgresStore } from "../packages/server/src/store/postgres/postgres-store.ts";
import { endpointRow, eventRows, outcome } from "../packages/server/test/support/store-rows.ts";
import { createDatabase, postgresServer } from "./postgres-setup.ts";

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    window: { type: "string", default: "60" },
    minutes: { type: "string", default: "8" },
    sample: { type: "string", default: "30" },
  },
});
const RATE = Number(flags.rate);
const WINDOW_MS = Number(flags.window) * 1000;
const TICK_MS = 100;
const PAYLOAD = Buffer.alloc(800, "x");
const ladder = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const server = await postgresServer();
try {
  const url = await createDatabase(server.url, "history_steady");
  const store = await createPostgresStore(url, { poolSize: 4 });
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  const endpoint = endpointRow(Date.now());
  await store.createEndpoint(endpoint);
  const retention = createRetention({
    store,
    retentionMs: WINDOW_MS,
    clock: Date.now,
    log: silent,
    // Ten passes a window, as a minute is to a day's window and more.
    intervalMs: WINDOW_MS / 10,
    ...retentionPacing("postgres"),
  });
  retention.start();

  const sample = async (at: number) => {
    const { rows } = await probe.query<{
      mb: string;
      live: string;
      dead: string;
      vacuums: string;
    }>(`SELECT sum(pg_total_relation_size(relid)) / 1e6 AS mb, sum(n_live_tup) AS live,
        sum(n_dead_tup) AS dead, sum(autovacuum_count) AS vacuums
      FROM pg_stat_user_tables WHERE relname IN ('events', 'deliveries', 'attempts')`);
    const r = rows[0]!;
    console.log(
      `${Math.round(at / 1000)} s: events+deliveries+attempts ${Number(r.mb).toFixed(1)} MB, ${r.live} live rows, ${r.dead} dead, ${r.vacuums} autovacuums so far`,
    );
  };

  const started = performance.now();
  const end = started + Number(flags.minutes) * 60_000;
  let nextSample = started + Number(flags.sample) * 1000;
  let behindMs = 0;
  for (let tick = 0; performance.now() < end; tick++) {
    const due = started + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else behindMs = Math.max(behindMs, -wait);
    const now = Date.now();
    const rows = Array.from({ length: (RATE * TICK_MS) / 1000 }, () => {
      const r = eventRows(now, [endpoint.id], { status: "succeeded" });
      r.event.payload = PAYLOAD;
      return r;
    });
    await store.createEvents(rows);
    await store.recordResults(
      rows.map((r) =>
        outcome({ id: r.deliveries[0]!.id, endpointId: endpoint.id, attemptCount: 0 }, now, {
          ok: true,
        }),
      ),
      now,
      ladder,
    );
    if (performance.now() >= nextSample) {
      await sample(performance.now() - started);
      nextSample += Number(flags.sample) * 1000;
    }
  }
  console.log(
    `ingest ${RATE} events/s for ${flags.minutes} min, window ${flags.window} s; ingest fell behind its schedule by at most ${Math.round(behindMs)} ms`,
  );
  await retention.stop();
  await probe.end();
  await store.close();
} finally {
  await server.stop();
}
