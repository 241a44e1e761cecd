/**
 * What the sharding of `endpoint_delivery_counts` (PostgreSQL, migration 0013) buys: ingest from
 * many concurrent writers to a disabled endpoint, whose every event adds a skipped delivery to its
 * counts. Three stores in turns, one process:
 * - `enabled`: the endpoint enabled (pending deliveries, no count written): the baseline;
 * - `sharded`: disabled, as built (a row per connection shard);
 * - `one row`: disabled, every write forced onto shard 0 (a BEFORE INSERT trigger), as counts
 *   on the endpoint row would be.
 *
 *   npx tsx bench/endpoint-counts-contention.ts [--clients=32] [--seconds=5] [--rounds=2]
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { createPostgresStore } from "../packages/server/src/store/postgres/postgres-store.ts";
import { endpointRow, eventRows } from "../packages/server/test/support/store-rows.ts";
import { createDatabase, postgresServer } from "./postgres-setup.ts";

const { values: flags } = parseArgs({
  options: {
    clients: { type: "string", default: "32" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "2" },
  },
});
const CLIENTS = Number(flags.clients);
const SECONDS = Number(flags.seconds);
const VARIANTS = ["enabled", "sharded", "one row"] as const;
const ONE_ROW = `CREATE FUNCTION counts_one_row() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN NEW.shard := 0; RETURN NEW; END $$;
CREATE TRIGGER counts_one_row BEFORE INSERT ON endpoint_delivery_counts
  FOR EACH ROW EXECUTE FUNCTION counts_one_row();`;

async function run(serverUrl: string, variant: (typeof VARIANTS)[number], round: number) {
  const url = await createDatabase(serverUrl, `counts_${variant.replace(" ", "_")}_${round}`);
  const store = await createPostgresStore(url, { poolSize: CLIENTS });
  if (variant === "one row") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(ONE_ROW);
    await client.end();
  }
  const disabled = variant !== "enabled";
  const endpoint = endpointRow(Date.now(), { status: disabled ? "disabled" : "enabled" });
  await store.createEndpoint(endpoint);
  const status = disabled ? "skipped" : "pending";
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        await store.createEvents([eventRows(Date.now(), [endpoint.id], { status })]);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const activity = await store.endpointActivity(endpoint.id, 0, 1);
  await store.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.ceil(p * latencies.length) - 1]!.toFixed(1);
  const counted = disabled ? activity.deliveries.skipped : activity.deliveries.pending;
  if (counted !== latencies.length)
    throw new Error(`${variant}: ${counted} of ${latencies.length}`);
  return `${(latencies.length / SECONDS).toFixed(0)} events/s, p50 ${at(0.5)} p99 ${at(0.99)} ms`;
}

const server = await postgresServer();
try {
  console.log(`${CLIENTS} clients, one event a commit, ${SECONDS} s a run`);
  for (let round = 1; round <= Number(flags.rounds); round++) {
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      console.log(`round ${round} ${variant.padEnd(8)} ${await run(server.url, variant, round)}`);
    }
  }
} finally {
  await server.stop();
}
