/**
 * What the `failing_deliveries` trigger (migration 0006) costs ingest and the recorder: the same
 * work on a store with them and on one where they were dropped, in turns, in one process.
 *
 *   npx tsx bench/history-trigger-cost.ts [--events=5000] [--rounds=3]
 *
 * Per round and store: ingest (batches of 50 events, one delivery each), then claim everything
 * and record first attempts, half succeeding and half failing with a retry (a failure crosses the
 * trigger's line: that is the write it adds). SQLite's figures are this process's CPU; on
 * PostgreSQL the work is in the server, so its figures are wall time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_LADDER } from "../packages/server/src/domain/health-ladder.ts";
import { createPostgresStore } from "../packages/server/src/store/postgres/postgres-store.ts";
import { createSqliteStore } from "../packages/server/src/store/sqlite/sqlite-store.ts";
import type { Store } from "../packages/server/src/store/types.ts";
import { endpointRow, eventRows, outcome } from "../packages/server/test/support/store-rows.ts";
import { createDatabase, postgresServer } from "./postgres-setup.ts";

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
  },
});
const EVENTS = Number(flags.events);
const T0 = 1_750_000_000_000;
const DROP = "DROP TRIGGER deliveries_failing_update";
const DROP_PG = "DROP TRIGGER deliveries_failing_update ON deliveries";

async function work(store: Store, clock: () => number) {
  const endpoint = endpointRow(T0);
  await store.createEndpoint(endpoint);
  let start = clock();
  for (let i = 0; i < EVENTS; i += 50) {
    const batch = Array.from({ length: Math.min(50, EVENTS - i) }, (_, j) =>
      eventRows(T0 + i + j, [endpoint.id]),
    );
    await store.createEvents(batch);
  }
  const ingest = clock() - start;
  start = clock();
  const now = T0 + EVENTS + 1000;
  const ladder = { ...DEFAULT_LADDER, disableAfterMs: Number.MAX_SAFE_INTEGER };
  for (;;) {
    const claimed = await store.claimDue({
      now,
      limit: 64,
      leaseUntil: now + 60_000,
      owner: "bench",
      excludeEndpoints: [],
      perEndpoint: 64,
    });
    if (claimed.length === 0) break;
    const results = claimed.map((d, i) =>
      outcome(d, now, { ok: i % 2 === 0, nextAttemptAt: now + 3_600_000 }),
    );
    await store.recordResults(results, now, ladder);
  }
  return { ingest, record: clock() - start };
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall = () => performance.now();
const perEvent = (ms: number) => ((ms * 1000) / EVENTS).toFixed(1);

async function sqlite(triggers: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "hookline-trigger-"));
  const file = join(dir, "hookline.db");
  const store = createSqliteStore(file, { durability: "process" });
  if (!triggers) {
    const raw = new Database(file);
    raw.exec(DROP);
    raw.close();
  }
  try {
    return await work(store, cpu);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(serverUrl: string, triggers: boolean, round: number) {
  const url = await createDatabase(serverUrl, `trigger_cost_${triggers ? "on" : "off"}_${round}`);
  const store = await createPostgresStore(url, { poolSize: 4 });
  if (!triggers) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(DROP_PG);
    await client.end();
  }
  try {
    return await work(store, wall);
  } finally {
    await store.close();
  }
}

const server = await postgresServer();
try {
  console.log(`${EVENTS} events per run; µs per event (ingest | record), triggers on vs off`);
  for (let round = 1; round <= Number(flags.rounds); round++) {
    for (const triggers of round % 2 === 1 ? [true, false] : [false, true]) {
      const s = await sqlite(triggers);
      const p = await postgres(server.url, triggers, round);
      console.log(
        `round ${round} triggers ${triggers ? "on " : "off"}  SQLite CPU ${perEvent(s.ingest)} | ${perEvent(s.record)}   PostgreSQL wall ${perEvent(p.ingest)} | ${perEvent(p.record)}`,
      );
    }
  }
} finally {
  await server.stop();
}
