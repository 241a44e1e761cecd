/**
 * Server CPU per request (from /proc, Linux only) of contenders side by side, interleaved:
 * steadier than requests/s on a shared machine, since it does not count the time a server
 * waited for a core. A side tool for profiling the request path, not part of `npm run bench`.
 *
 *   npx tsx packages/webhooks/bench/handler/cpu.ts [--rounds n] [--requests n] [--profile dir]
 *     "<contender name>" "<contender name>" …
 *
 * Ratios are each contender's CPU per request over the first one's, median over the rounds. With
 * a PostgreSQL contender, the database server's processes (all of them: backends, WAL writer,
 * checkpointer) are measured too, during that contender's requests only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createDatabase, postgresServer } from "../../../../bench/postgres-setup.ts";
import { generateSecret } from "../../src/index.ts";
import { median } from "../median.ts";
import { signedRequests } from "./events.ts";
import { drive } from "./load.ts";
import { processCpuMs, spawnContender } from "./spawn.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = args.splice(at, 2)[1]!;
  return Number.isNaN(Number(value)) ? (value as unknown as number) : Number(value);
};
const rounds = option("--rounds", 5);
const requests = option("--requests", 3000);
const profileDir = args.includes("--profile") ? String(option("--profile", 0)) : undefined;
const names = args;
const secret = generateSecret();
const dir = mkdtempSync(join(os.tmpdir(), "hookline-bench-cpu-"));

const postgres = names.some((n) => n.includes("PostgreSQL")) ? await postgresServer() : undefined;

/** The PostgreSQL server's processes: those whose parent is the postmaster, and it. */
function postgresPids(): number[] {
  if (postgres === undefined) return [];
  const port = new URL(postgres.url).port;
  const all = readdirSync("/proc").filter((f) => /^\d+$/.test(f));
  const cmd = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      return "";
    }
  };
  const postmaster = all.find((pid) => cmd(pid).includes("postgres") && cmd(pid).includes(port));
  if (postmaster === undefined) return [];
  return [
    Number(postmaster),
    ...all
      .filter((pid) => {
        try {
          return (
            readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1] === postmaster
          );
        } catch {
          return false;
        }
      })
      .map(Number),
  ];
}
const postgresCpuMs = () => postgresPids().reduce((sum, pid) => sum + processCpuMs(pid), 0);

const servers = await Promise.all(
  names.map(async (name, i) =>
    spawnContender(
      name,
      {
        secret,
        sqlitePath: join(dir, `inbox-${i}.db`),
        databaseUrl:
          postgres && name.includes("PostgreSQL")
            ? await createDatabase(postgres.url, `hookline_bench_cpu_${i}`)
            : undefined,
      },
      profileDir ? join(profileDir, `c${i}`) : undefined,
    ),
  ),
);
try {
  for (const s of servers) await drive(s.port, signedRequests(requests, secret), 32);
  const perRequest: number[][] = names.map(() => []);
  const databasePerRequest: number[][] = names.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = servers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const batch = signedRequests(requests, secret);
      const before = processCpuMs(servers[i]!.child.pid!);
      const databaseBefore = postgresCpuMs();
      await drive(servers[i]!.port, batch, 32);
      // Ack-first work (completions, checkpoints) that lags the answers belongs to the request.
      await new Promise((resolve) => setTimeout(resolve, 200));
      perRequest[i]!.push(((processCpuMs(servers[i]!.child.pid!) - before) * 1000) / requests);
      databasePerRequest[i]!.push(((postgresCpuMs() - databaseBefore) * 1000) / requests);
    }
  }
  names.forEach((name, i) => {
    const ratios = perRequest[i]!.map((us, r) => us / perRequest[0]![r]!);
    console.log(
      `${median(perRequest[i]!).toFixed(0).padStart(5)} µs/request  ${median(ratios).toFixed(2)}×  [${perRequest[i]!.map((us) => us.toFixed(0)).join(" ")}]  ${name}` +
        (name.includes("PostgreSQL")
          ? `; PostgreSQL server ${median(databasePerRequest[i]!).toFixed(0)} µs/request`
          : ""),
    );
  });
} finally {
  for (const s of servers) s.child.kill("SIGINT");
  await Promise.all(servers.map((s) => new Promise((r) => s.child.once("exit", r))));
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
