/**
 * Requests per second of the whole receiving path (HTTP server, body, verify, inbox, handler,
 * answer) for the SDK's handler behind each adapter and inbox, against what a Stripe user writes
 * today (the raw body + `stripe.webhooks.constructEvent`) on the same framework.
 *
 *   npm run bench -w @hookline/webhooks                   verify, then this benchmark
 *   npm run bench:handler -w @hookline/webhooks -- [--write] [--rounds <n>] [--only <text>]
 *                                                         [--profile <dir>]
 *
 * `--write` (or BENCH_WRITE=1) rewrites its section of docs/benchmarks.md; `--only` runs the
 * contenders whose name contains the text (and their peers); `--profile` runs each server with
 * --cpu-prof into <dir>/c<n> (see handler/profile-summary.ts).
 *
 * Each contender serves from its own child process, beside its own process of its peer; this
 * process is the load: 32 keep-alive connections posting distinct signed events over loopback,
 * one request in flight on each. Every round runs every contender once, in a rotated order, each back to back with its peer; a ratio
 * is the median over the rounds of those pairs' ratios. Nothing here asserts on time: a miss is
 * reported, never thrown.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, postgresServer } from "../../../bench/postgres-setup.ts";
import { table } from "../../../bench/stats.ts";
import { writeSection } from "../../../bench/write-docs.ts";
import { generateSecret } from "../src/index.ts";
import { contenders as all, type Contender } from "./handler/contenders.ts";
import { signedRequests } from "./handler/events.ts";
import { drive, type LoadResult } from "./handler/load.ts";
import { processCpuMs, spawnContender } from "./handler/spawn.ts";
import { median } from "./median.ts";

const CONNECTIONS = 32;
const REQUESTS = 1500;
const WARMUP_REQUESTS = 3000;
/** Unrecorded requests right before each recorded slice. */
const WARM_REQUESTS = 1000;
/** Each side of a pair's 1,500 requests, in this many alternating slices. */
const SLICES_PER_PAIR = 3;
const ROUNDS = Number(option("--rounds") ?? 9);

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

const only = option("--only");
const profileDir = option("--profile");
const contenders = all.filter((c) => only === undefined || c.name.includes(only));
// A contender is measured against its peer, so the peer runs whenever it does.
for (const c of [...contenders]) {
  const peer = all.find((p) => p.name === c.peer)!;
  if (!contenders.includes(peer)) contenders.unshift(peer);
}

const secret = generateSecret();
const dir = mkdtempSync(join(os.tmpdir(), "hookline-bench-handler-"));
const needsPostgres = contenders.some((c) => c.name.includes("PostgreSQL"));
const postgres = needsPostgres ? await postgresServer() : undefined;

interface Server {
  contender: Contender;
  child: ChildProcess;
  port: number;
}

/** A table row's samples: one per pair it served in, per round. */
interface Row {
  throughput: number[];
  p50: number[];
  p99: number[];
  /** Per pair: this contender's requests/s and p99 over its peer's, measured back to back. */
  ratios: number[];
  p99Ratios: number[];
}

/**
 * A contender and its own process of its peer. A peer shared by every pair of its framework
 * served in all of them and so was never idle long: in full runs its p99 was 13.9-14.3 ms where
 * every other node:http server had 20-34 ms, the floor (which does strictly less) included, so
 * the p99 ratios measured idleness, not handlers. Its own peer idles exactly as long as it does.
 */
interface Pair {
  ours: Server;
  theirs: Server;
}

let started = 0;
async function startServer(contender: Contender): Promise<Server> {
  const index = started++;
  const databaseUrl =
    postgres && contender.name.includes("PostgreSQL")
      ? await createDatabase(postgres.url, `hookline_bench_handler_${index}`)
      : undefined;
  const { child, port } = await spawnContender(
    contender.name,
    { secret, sqlitePath: join(dir, `inbox-${index}.db`), databaseUrl },
    profileDir ? join(profileDir, `c${index}`) : undefined,
  );
  return { contender, child, port };
}

const rows = new Map<string, Row>(
  contenders.map((c) => [c.name, { throughput: [], p50: [], p99: [], ratios: [], p99Ratios: [] }]),
);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** One slice of load: its elapsed time and every request's latency. */
async function slice(server: Server, count: number) {
  const result = await drive(server.port, signedRequests(count, secret), CONNECTIONS);
  let ok = 0;
  for (const [status, n] of result.statuses) if (status >= 200 && status < 300) ok += n;
  if (ok !== count) {
    const statuses = JSON.stringify(Object.fromEntries(result.statuses));
    throw new Error(`${server.contender.name}: not every request was accepted: ${statuses}`);
  }
  return result;
}

/** Requests/s and percentiles over several slices of one server, added to its row. */
function summarize(server: Server, slices: LoadResult[]) {
  const latencies = Float64Array.from(slices.flatMap((s) => [...s.latencies])).sort();
  const elapsed = slices.reduce((sum, s) => sum + s.elapsedMs, 0);
  const sample = {
    throughput: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
  const row = rows.get(server.contender.name)!;
  row.throughput.push(sample.throughput);
  row.p50.push(sample.p50);
  row.p99.push(sample.p99);
  return sample;
}

/**
 * A contender and its peer in alternating slices (ABABAB, BABABA the next round), so the two
 * sides of a ratio are measured within the same second or so: on a machine shared with other
 * work, the load changes faster than a round of every contender takes.
 */
async function measurePair({ ours: server, theirs: peer }: Pair, round: number): Promise<void> {
  const order = round % 2 === 0 ? [peer, server] : [server, peer];
  // A server idle since its last turn answers its first requests slower (cold caches, new
  // connections, V8 flushing unused code); unwarmed, the floor measured 0.81x constructEvent.
  for (const side of order) await slice(side, WARM_REQUESTS);
  const slices = new Map<Server, LoadResult[]>([
    [server, []],
    [peer, []],
  ]);
  for (let k = 0; k < SLICES_PER_PAIR; k++) {
    for (const side of order) slices.get(side)!.push(await slice(side, REQUESTS / SLICES_PER_PAIR));
  }
  const ours = summarize(server, slices.get(server)!);
  const theirs = summarize(peer, slices.get(peer)!);
  const row = rows.get(server.contender.name)!;
  row.ratios.push(ours.throughput / theirs.throughput);
  row.p99Ratios.push(ours.p99 / theirs.p99);
}

/** CPU ms used so far by these processes (Linux /proc; 0 elsewhere). */
const cpuMs = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
const busyMs = () =>
  os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

const servers: Server[] = [];
try {
  const pairs: Pair[] = [];
  for (const contender of contenders) {
    if (contender.peer === contender.name) continue;
    const ours = await startServer(contender);
    const theirs = await startServer(all.find((p) => p.name === contender.peer)!);
    servers.push(ours, theirs);
    pairs.push({ ours, theirs });
  }
  for (const server of servers) {
    process.stderr.write(`warm-up: ${server.contender.name}\n`);
    await slice(server, WARMUP_REQUESTS);
  }
  const pids = [process.pid, ...servers.map((s) => s.child.pid!)];
  const start = { wall: performance.now(), busy: busyMs(), ours: cpuMs(pids) };
  // PostgreSQL's pairs run in a phase of their own, after the others: the database server keeps
  // working after a burst (WAL writes, checkpoints, autovacuum) on the same two cores, and beside
  // it the memory inbox's ratio fell from 0.71 to 0.39.
  const isPostgres = (pair: Pair) => pair.ours.contender.name.includes("PostgreSQL");
  const phases = [pairs.filter((p) => !isPostgres(p)), pairs.filter(isPostgres)];
  for (const [phase, group] of phases.entries()) {
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`phase ${phase + 1}, round ${round + 1}/${ROUNDS}\r`);
      const offset = Math.floor((round * group.length) / ROUNDS);
      for (let i = 0; i < group.length; i++) {
        await measurePair(group[(i + offset) % group.length]!, round);
      }
    }
  }
  process.stderr.write("\n");
  const wall = performance.now() - start.wall;
  const otherCores = (busyMs() - start.busy - (cpuMs(pids) - start.ours)) / wall;
  const report = render(Math.max(0, otherCores));
  console.log(report);
  if (process.argv.includes("--write") || process.env.BENCH_WRITE === "1") {
    const path = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));
    writeSection(path, { name: "handler", title: "@hookline/webhooks: the handler", report });
    console.log(`wrote ${path}`);
  }
} finally {
  for (const server of servers) server.child.kill("SIGINT");
  await Promise.all(servers.map((s) => new Promise((resolve) => s.child.once("exit", resolve))));
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

function render(otherCores: number): string {
  let misses = 0;
  const lines = contenders.map((contender) => {
    const s = rows.get(contender.name)!;
    const mid = median(s.throughput);
    const spread = ((Math.max(...s.throughput) - Math.min(...s.throughput)) / 2 / mid) * 100;
    const isPeer = contender.peer === contender.name;
    const ratio = median(s.ratios);
    const p99Ratio = median(s.p99Ratios);
    const target = contender.target;
    let result = "";
    if (target !== undefined) {
      const pass = ratio >= target && p99Ratio <= 1.5;
      if (!pass) misses++;
      result = pass ? "PASS" : "MISS";
    }
    return [
      contender.name,
      `${Math.round(mid).toLocaleString("en-US")} ±${spread.toFixed(0)}%`,
      median(s.p50).toFixed(2),
      median(s.p99).toFixed(2),
      isPeer ? "peer" : ratio.toFixed(2),
      isPeer ? "peer" : p99Ratio.toFixed(2),
      target === undefined ? "" : `≥ ${target.toFixed(1)}×, p99 ≤ 1.5×`,
      result,
    ];
  });
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${os.platform()} ${os.arch()}`;
  return `Command: \`npm run bench -w @hookline/webhooks\` (the handler part: \`npm run bench:handler -w @hookline/webhooks -- --write\` updates this section)

- Date: ${new Date().toISOString().slice(0, 10)}
- Node: ${process.version}
- Machine: ${machine}, shared with other work: other processes used ${otherCores.toFixed(2)} cores during the rounds. The load generator and the server under test share the same cores, so absolute figures are low and noisy; read the ratios.
- Method: each contender serves from its own process (\`bench/handler/server.ts\`, \`node --no-memory-reducer\`), and so does its peer: a process of the peer for each contender, idle exactly as long between turns (a peer's row pools the samples of all its processes); the load is ${CONNECTIONS} keep-alive connections over loopback, one request in flight on each, posting distinct \`payment_intent.succeeded\` events of about 0.9 KB signed with both header sets (\`Stripe-Signature\` and \`webhook-*\`), as Hookline sends them. After a warm-up of ${WARMUP_REQUESTS.toLocaleString("en-US")} requests each, ${ROUNDS} rounds; in each, every contender and its peer serve ${REQUESTS.toLocaleString("en-US")} requests each in ${SLICES_PER_PAIR} alternating slices (peer first in even rounds), after ${WARM_REQUESTS} unrecorded requests each, contenders in an order rotated every round; the PostgreSQL pairs in a second phase after all the others, since the database server's background work (WAL, checkpoints, autovacuum) shares the cores. Requests/s are medians over the rounds (± half the range); latencies are client-side medians over the rounds of each pair's p50 and p99; a ratio is the median over the rounds of the contender's figure over its peer's in the same pair. Every event handler does nothing; every answer was a 2xx.
- Peers: what a Stripe user writes on that framework: the raw body, \`stripe.webhooks.constructEvent\`, a \`switch\` on the type, \`200 {received: true}\`. The _floor_ is the least a verifying receiver does on \`node:http\`: the raw body, one \`createHmac\`, \`JSON.parse\`, 200. SQLite inboxes are files on the local disk; PostgreSQL is ${process.env.DATABASE_URL ? "DATABASE_URL" : "an embedded server on loopback with default durability (fsync on)"}.

${table(
  ["contender", "requests/s", "p50 ms", "p99 ms", "× peer", "p99 × peer", "target", "result"],
  [false, true, true, true, true, true, false, false],
  lines,
)}

${misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`}`;
}
