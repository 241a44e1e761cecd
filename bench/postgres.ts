/**
 * Hookline on PostgreSQL (one node, then two sharing the database) against the baseline a Node
 * developer would write on the same PostgreSQL: a pg-boss queue whose worker signs and POSTs
 * (bench/postgres-boss.ts). Same event bytes, same verifying loopback receiver, same server.
 *
 *   npm run bench:postgres               prints the report
 *   npm run bench:postgres -- --write    also rewrites its section of docs/benchmarks.md
 *   npm run bench:postgres -- --quick    a smoke run (never --write it)
 *
 * Throughput: events sent as fast as 32 clients go, divided by the time from the first send to
 * the last receipt. Latency: events sent at 200/s; receipt time minus the time its send began.
 * Nothing asserts on time: a missed target is reported, not thrown.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import PgBoss from "pg-boss";
import { Pool } from "undici";
import { generateSecret } from "../packages/webhooks/src/index.ts";
import {
  createDatabase,
  type Job,
  postgresServer,
  QUEUE,
  spawnChild,
  startReceiver,
} from "./postgres-setup.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
const EVENTS = flags.quick ? 500 : 4000;
const RATE = 200;
const RATE_SECONDS = flags.quick ? 3 : 10;
const KEY = "hk_bench_root_key_0123456789";
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
const log = (line: string) => process.stderr.write(`${line}\n`);

interface System {
  /** Sends event `n`; resolves with the id the receiver will see. */
  send(n: number): Promise<string>;
  stop(): Promise<void>;
}

const body = (id: string, n: number) =>
  JSON.stringify({
    id,
    object: "event",
    type: "charge.succeeded",
    data: { object: { n, amount: 2000, currency: "usd" } },
  });

async function hookline(
  serverUrl: string,
  nodes: number,
  receiverUrl: string,
  secrets: string[],
): Promise<System> {
  const url = await createDatabase(serverUrl, `bench_hookline_${nodes}`);
  const env = {
    HOOKLINE_API_KEY: KEY,
    HOOKLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOOKLINE_LOG_LEVEL: "warn",
  };
  const args = ["serve", "--port", "0", "--database", url, "--allow-network", "127.0.0.0/8"];
  const started = await Promise.all(
    Array.from({ length: nodes }, () =>
      spawnChild(
        children,
        "packages/server/src/cli.ts",
        args,
        /Hookline is running at (http:\/\/\S+)/,
        env,
      ),
    ),
  );
  const pools = started.map(({ match }) => new Pool(match[1]!, { connections: 32 }));
  const call = async (pool: Pool, path: string, payload: unknown) => {
    const response = await pool.request({
      method: "POST",
      path,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (response.statusCode !== 200)
      throw new Error(`${path}: ${response.statusCode} ${await response.body.text()}`);
    return (await response.body.json()) as { id: string; secret?: string };
  };
  const endpoint = await call(pools[0]!, "/v1/webhook_endpoints", {
    url: receiverUrl,
    enabled_events: ["*"],
  });
  secrets.push(endpoint.secret!);
  return {
    send: async (n) =>
      (
        await call(pools[n % pools.length]!, "/v1/events", {
          type: "charge.succeeded",
          data: { object: { n, amount: 2000, currency: "usd" } },
        })
      ).id,
    async stop() {
      await Promise.all(pools.map((p) => p.close()));
      for (const { child } of started) child.kill("SIGTERM");
    },
  };
}

async function pgBoss(serverUrl: string, receiverUrl: string, secrets: string[]): Promise<System> {
  const url = await createDatabase(serverUrl, "bench_pgboss");
  const secret = generateSecret();
  secrets.push(secret);
  const boss = new PgBoss({ connectionString: url, max: 10 });
  await boss.start();
  await boss.createQueue(QUEUE);
  const { child } = await spawnChild(
    children,
    "bench/postgres-boss.ts",
    [url, receiverUrl, secret],
    /ready/,
  );
  return {
    async send(n) {
      const id = `evt_boss_${n}_${randomBytes(4).toString("hex")}`;
      await boss.send(QUEUE, { id, body: body(id, n) } satisfies Job);
      return id;
    },
    async stop() {
      child.kill("SIGTERM");
      await boss.stop({ graceful: false });
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function allReceived(receiver: Receiver, ids: Iterable<string>): Promise<void> {
  const deadline = performance.now() + 180_000;
  for (const id of ids) {
    while (!receiver.received.has(id)) {
      if (performance.now() > deadline) throw new Error("deliveries missing after 3 minutes");
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }
}

async function measure(name: string, system: System, receiver: Receiver) {
  receiver.received.clear();
  const ids: string[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < EVENTS) ids.push(await system.send(next++));
    }),
  );
  await allReceived(receiver, ids);
  const last = Math.max(...ids.map((id) => receiver.received.get(id)!));
  const throughput = EVENTS / ((last - start) / 1000);
  receiver.received.clear();
  const t0 = new Map<string, number>();
  const sends: Promise<void>[] = [];
  const paced = performance.now();
  for (let n = 0; n < RATE * RATE_SECONDS; n++) {
    const wait = paced + (n * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    const at = performance.now();
    sends.push(system.send(EVENTS + n).then((id) => void t0.set(id, at)));
  }
  await Promise.all(sends);
  await allReceived(receiver, t0.keys());
  const latencies = [...t0]
    .map(([id, at]) => receiver.received.get(id)! - at)
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  const result = { name, throughput, p50: pct(50), p99: pct(99) };
  log(
    `${name}: ${throughput.toFixed(0)} deliveries/s; at ${RATE}/s p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
  );
  return result;
}

const server = await postgresServer();
const receiver = await startReceiver();
try {
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  for (const [name, make] of [
    ["Hookline, 1 node", () => hookline(server.url, 1, receiver.url, receiver.secrets)],
    ["Hookline, 2 nodes", () => hookline(server.url, 2, receiver.url, receiver.secrets)],
    ["pg-boss worker", () => pgBoss(server.url, receiver.url, receiver.secrets)],
  ] as const) {
    const system = await make();
    results.push(await measure(name, system, receiver));
    await system.stop();
  }
  if (receiver.rejected() > 0)
    throw new Error(`${receiver.rejected()} requests failed verification`);
  const boss = results[2]!;
  const row = (r: (typeof results)[number]) =>
    `| ${r.name} | ${r.throughput.toFixed(0)} | ${(r.throughput / boss.throughput).toFixed(1)}× | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(boss.p99 / r.p99).toFixed(1)}× |`;
  const verdict = (r: (typeof results)[number]) =>
    `${r.name}: throughput ${(r.throughput / boss.throughput).toFixed(1)}× (target ≥ 5×: ${r.throughput >= 5 * boss.throughput ? "PASS" : "MISS"}), p99 1/${(boss.p99 / r.p99).toFixed(1)} (target ≤ 1/5: ${r.p99 * 5 <= boss.p99 ? "PASS" : "MISS"})`;
  const report = [
    `\`npm run bench:postgres -- --write\`, ${new Date().toISOString().slice(0, 10)}: ${EVENTS} events as fast as 32 clients send them, then ${RATE} events/s for ${RATE_SECONDS} s; one endpoint; a verifying receiver on loopback; one PostgreSQL server (fsync on) for all.`,
    "",
    "| system | deliveries/s | vs pg-boss | p50 ms at 200/s | p99 ms at 200/s | p99 vs pg-boss |",
    "|---|---|---|---|---|---|",
    ...results.map(row),
    "",
    ...results.slice(0, 2).map((r) => `- ${verdict(r)}`),
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (flags.write) {
    const path = resolve(fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url)));
    writeSection(path, {
      name: "postgres",
      title: "PostgreSQL: Hookline nodes against a pg-boss worker",
      report,
    });
    log(`wrote ${path}`);
  }
} finally {
  await receiver.close();
  for (const child of children) child.kill("SIGKILL");
  await server.stop();
}
process.exit(0);
