/**
 * The transactional outbox on PostgreSQL (docs/outbox.md): an application commits rows with
 * `emitMany` in transactions of 100, one Hookline node relays them and delivers to a verifying
 * loopback receiver; against the limit (bench/limit.ts: an undici loop that signs and POSTs the
 * same number of events at the node's per-endpoint concurrency, no persistence) in the same run.
 * Then the latency at a steady 200 rows/s, each row in its own transaction, from the start of
 * the application's transaction to the receiver's receipt.
 *
 *   npm run bench:outbox                  prints the report
 *   npm run bench:outbox -- --write       also rewrites its section of docs/benchmarks.md
 *   npm run bench:outbox -- --quick       a tenth of the sizes (a smoke run; never --write it)
 *
 * Nothing asserts on time: a missed target is reported, not thrown. A lost event fails the run.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { emit, emitMany } from "../packages/webhooks/src/outbox.ts";
import { createLimit, type LimitItem } from "./limit.ts";
import { createDatabase, postgresServer, spawnChild, startReceiver } from "./postgres-setup.ts";
import { distribution, int, ms, table } from "./stats.ts";
import { machine } from "./system.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
if (flags.write && flags.quick) throw new Error("--write takes a full run (no --quick)");
const ROWS = flags.quick ? 2000 : 20_000;
const PER_TRANSACTION = 100;
const RATE = 200;
const RATE_SECONDS = flags.quick ? 3 : 10;
/** The node's default per-endpoint concurrency (HOOKLINE_MAX_IN_FLIGHT_PER_ENDPOINT). */
const CONCURRENCY = 32;
const KEY = "hk_bench_root_key_0123456789";

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
const log = (line: string) => process.stderr.write(`${line}\n`);
const object = (n: number) => ({ id: `pi_${n}`, object: "payment_intent", amount: 2000, n });

const server = await postgresServer();
const receiver = await startReceiver();
try {
  // The limit first, on a cold receiver like the node's first run.
  log(`limit: ${ROWS} signed POSTs, ${CONCURRENCY} at a time`);
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  receiver.secrets.push(secret);
  const limit = createLimit({ connectionsPerOrigin: CONCURRENCY });
  const items: LimitItem[] = Array.from({ length: ROWS }, (_, n) => {
    const id = `evt_limit_${n}`;
    const body = Buffer.from(
      JSON.stringify({
        id,
        object: "event",
        type: "payment_intent.succeeded",
        data: { object: object(n) },
      }),
    );
    return { target: { url: receiver.url, secret }, id, body };
  });
  const limitStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await limit.send(items[next++]!);
    }),
  );
  const limitRate = ROWS / ((performance.now() - limitStart) / 1000);
  await limit.close();
  receiver.received.clear();

  /** A Hookline node on a fresh database, with one endpoint to the receiver. */
  const startNode = async (name: string) => {
    const url = await createDatabase(server.url, name);
    const { child, match } = await spawnChild(
      children,
      "packages/server/src/cli.ts",
      ["serve", "--port", "0", "--database", url, "--allow-network", "127.0.0.0/8"],
      /Hookline is running at (http:\/\/\S+)/,
      {
        HOOKLINE_API_KEY: KEY,
        HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        HOOKLINE_LOG_LEVEL: "warn",
      },
    );
    const created = await fetch(`${match[1]}/v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url, enabled_events: ["*"] }),
    });
    receiver.secrets.push(((await created.json()) as { secret: string }).secret);
    return { url, api: match[1]!, child };
  };

  // The same events through the API's batch ingest, on a node of their own: what the outbox
  // adds over it is the relay.
  log(`batch: ${ROWS} events in POST /v1/events/batch of ${PER_TRANSACTION}, 4 clients`);
  const batchNode = await startNode("bench_outbox_batch");
  const batchStart = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = sent++; b < ROWS / PER_TRANSACTION; b = sent++) {
        const events = Array.from({ length: PER_TRANSACTION }, (_, i) => ({
          type: "payment_intent.succeeded",
          data: { object: object(b * PER_TRANSACTION + i) },
        }));
        const response = await fetch(`${batchNode.api}/v1/events/batch`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ events }),
        });
        if (response.status !== 200) throw new Error(`batch: ${response.status}`);
        await response.arrayBuffer();
      }
    }),
  );
  const batchAcceptedMs = performance.now() - batchStart;
  const untilAll = async (what: string) => {
    const deadline = performance.now() + 120_000;
    while (receiver.received.size < ROWS) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((ok) => setTimeout(ok, 5));
    }
  };
  await untilAll("every batch event");
  const batchRate = ROWS / ((Math.max(...receiver.received.values()) - batchStart) / 1000);
  batchNode.child.kill("SIGTERM");
  receiver.received.clear();

  const { url } = await startNode("bench_outbox");
  // Enough connections that the paced writer never queues for one (a queue would count as latency).
  const app = new pg.Pool({ connectionString: url, max: 16 });
  const transaction = async (work: (client: pg.PoolClient) => Promise<void>) => {
    const client = await app.connect();
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  };
  const until = async (check: () => boolean, what: string, timeoutMs = 120_000) => {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((ok) => setTimeout(ok, 5));
    }
  };

  log(`outbox: ${ROWS} rows in transactions of ${PER_TRANSACTION}, 4 writers`);
  const outboxStart = performance.now();
  let batch = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = batch++; b < ROWS / PER_TRANSACTION; b = batch++) {
        await transaction((client) =>
          emitMany(
            client,
            Array.from({ length: PER_TRANSACTION }, (_, i) => ({
              type: "payment_intent.succeeded",
              data: { object: object(b * PER_TRANSACTION + i) },
            })),
          ),
        );
      }
    }),
  );
  const committedMs = performance.now() - outboxStart;
  // When the relay has turned every row into an event (the outbox is empty), apart from delivery.
  let relayedMs = 0;
  const relayed = (async () => {
    for (;;) {
      const { rows } = await app.query<{ n: string }>("SELECT count(*) AS n FROM outbox");
      if (Number(rows[0]!.n) === 0) {
        relayedMs = performance.now() - outboxStart;
        return;
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }
  })();
  await until(() => receiver.received.size >= ROWS, "every outbox event");
  await relayed;
  const lastReceipt = Math.max(...receiver.received.values());
  const outboxRate = ROWS / ((lastReceipt - outboxStart) / 1000);

  log(`latency: ${RATE} rows/s for ${RATE_SECONDS} s, one row per transaction`);
  receiver.received.clear();
  const began = new Map<number, number>();
  const committed = new Map<number, number>();
  const count = RATE * RATE_SECONDS;
  const paceStart = performance.now();
  const writes: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const due = paceStart + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    const row = ROWS + n;
    began.set(row, performance.now());
    writes.push(
      transaction((client) =>
        emit(client, { type: "payment_intent.succeeded", data: { object: object(row) } }),
      ).then(() => {
        committed.set(row, performance.now());
      }),
    );
  }
  await Promise.all(writes);
  await until(() => receiver.received.size >= count, "every paced event");
  // The receiver knows event ids; the database knows which row each came from.
  const { rows } = await app.query<{ id: string; n: string }>(
    "SELECT id, convert_from(payload, 'UTF8')::json->'data'->'object'->>'n' AS n FROM events",
  );
  const latencies: number[] = [];
  const afterCommit: number[] = [];
  for (const { id, n } of rows) {
    const start = began.get(Number(n));
    const at = receiver.received.get(id);
    if (start !== undefined && at !== undefined) {
      latencies.push(at - start);
      afterCommit.push(at - committed.get(Number(n))!);
    }
  }
  if (latencies.length !== count) throw new Error(`${latencies.length} of ${count} paced events`);
  await app.end();
  if (receiver.rejected() > 0) throw new Error(`${receiver.rejected()} signatures rejected`);
  const d = distribution(latencies);
  const c = distribution(afterCommit);

  const report = [
    `\`npm run bench:outbox\` on ${machine()}, one Hookline node on an embedded PostgreSQL`,
    "(fsync on), the driver (the application and the limit) and the verifying receiver in one",
    "process; everything on loopback, on one machine shared with other work: read the figures",
    "as orders of magnitude, the ratio as the result.",
    "",
    table(
      ["run", "events", "deliveries/s", "× limit"],
      [false, true, true, true],
      [
        ["limit: undici loop, 32 at a time", int(ROWS), int(limitRate), "1.00"],
        [
          `API: POST /v1/events/batch of ${PER_TRANSACTION}, 4 clients (all accepted after ${int(batchAcceptedMs)} ms)`,
          int(ROWS),
          int(batchRate),
          (batchRate / limitRate).toFixed(2),
        ],
        [
          `outbox: ${ROWS / PER_TRANSACTION} transactions of ${PER_TRANSACTION} rows, 4 writers (all committed after ${int(committedMs)} ms, all relayed after ${int(relayedMs)} ms)`,
          int(ROWS),
          int(outboxRate),
          (outboxRate / limitRate).toFixed(2),
        ],
      ],
    ),
    "",
    `Latency at a steady ${RATE} rows/s, one row per transaction, to the receipt (ms), from the start of the application's transaction and from its COMMIT's answer:`,
    "",
    table(
      ["events", "p50", "p90", "p99", "max"],
      [false, true, true, true, true],
      [
        [`${int(d.count)} from BEGIN`, ms(d.p50), ms(d.p90), ms(d.p99), ms(d.max)],
        [`${int(c.count)} from COMMIT`, ms(c.p50), ms(c.p90), ms(c.p99), ms(c.max)],
      ],
    ),
    "",
    "Targets (issue 17): deliveries/s ≥ 0.5× the limit; p99 ≤ 20 ms.",
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (flags.write) {
    const docs = resolve(fileURLToPath(new URL("..", import.meta.url)), "docs/benchmarks.md");
    writeSection(docs, { name: "outbox", title: "PostgreSQL: the transactional outbox", report });
    log(`wrote ${docs}`);
  }
} finally {
  for (const child of children) child.kill("SIGTERM");
  await receiver.close();
  await server.stop();
}
