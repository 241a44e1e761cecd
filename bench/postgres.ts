/**
 * Hookline on PostgreSQL (one node, then two sharing the database) against the baseline a Node
 * developer would write on the same PostgreSQL: a pg-boss queue whose workers sign and POST
 * (bench/postgres-boss.ts, configured in bench/postgres-boss-config.ts so that its poll does not
 * cap it). Same verifying loopback receiver, same server.
 *
 *   npm run bench:postgres                  prints the report
 *   npm run bench:postgres -- --write       also rewrites its section of docs/benchmarks.md
 *   npm run bench:postgres -- --quick       a tenth of the sizes (a smoke run; never --write it)
 *   npm run bench:postgres -- --runs=5      every system five times, in turn; every run reported
 *   npm run bench:postgres -- --only=pg-boss,hookline-1   some systems (hookline-1, hookline-2,
 *                                           pg-boss; ratios need pg-boss in the run)
 *
 * Each system, on a fresh database: a burst, a steady rate, a held backlog's drain
 * (bench/postgres-measure.ts). Nothing asserts on time: a missed target is reported, not thrown.
 */
import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { burst, drain, paced } from "./postgres-measure.ts";
import { renderPostgres, type SystemResult } from "./postgres-report.ts";
import { postgresServer, startReceiver } from "./postgres-setup.ts";
import { bossSystem, hooklineSystem, type System } from "./postgres-systems.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    runs: { type: "string", default: "1" },
    only: { type: "string", multiple: true },
  },
});
const EVENTS = flags.quick ? 500 : 5000;
const RATE = 200;
const RATE_SECONDS = flags.quick ? 3 : 10;
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number ≥ 1`);
const only = new Set((flags.only ?? []).flatMap((s) => s.split(",")));
if (flags.write && (flags.quick || only.size > 0)) {
  throw new Error("--write takes a full run of every system (no --quick, no --only)");
}
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
const log = (line: string) => process.stderr.write(`${line}\n`);

const server = await postgresServer();
const receiver = await startReceiver();
type Make = () => Promise<System>;
const systems: [string, string, Make][] = [
  [
    "hookline-1",
    "Hookline, 1 node",
    () => hooklineSystem(children, server.url, 1, receiver.url, receiver.secrets),
  ],
  [
    "hookline-2",
    "Hookline, 2 nodes",
    () => hooklineSystem(children, server.url, 2, receiver.url, receiver.secrets),
  ],
  ["pg-boss", "pg-boss", () => bossSystem(children, server.url, receiver.url, receiver.secrets)],
];
try {
  const results: SystemResult[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const [key, name, make] of systems) {
      if (only.size > 0 && !only.has(key)) continue;
      log(`run ${run}: ${name}: burst of ${EVENTS}`);
      const system = await make();
      receiver.received.clear();
      const burstRate = (await burst(system, receiver, 0, EVENTS)).perSecond;
      log(`run ${run}: ${name}: ${RATE}/s for ${RATE_SECONDS} s`);
      const latency = await paced(system, receiver, EVENTS, RATE, RATE_SECONDS);
      log(`run ${run}: ${name}: drain of ${EVENTS}`);
      const drained = await drain(system, receiver, EVENTS * 2, EVENTS);
      await system.stop();
      const result = { name, run, burst: burstRate, drain: drained, latency };
      log(
        `run ${run}: ${name}: burst ${burstRate.toFixed(0)}/s, drain ${drained.perSecond.toFixed(0)}/s${drained.complete ? "" : ` (${drained.delivered} of ${EVENTS})`}, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`,
      );
      results.push(result);
    }
  }
  if (receiver.rejected() > 0)
    throw new Error(`${receiver.rejected()} requests failed verification`);
  if (!results.some((r) => r.name === "pg-boss")) {
    log("no pg-boss run: no ratios to report");
  } else {
    const report = renderPostgres(results, {
      events: EVENTS,
      rate: RATE,
      seconds: RATE_SECONDS,
      runs,
      quick: flags.quick === true,
    });
    process.stdout.write(`${report.text}\n`);
    if (flags.write) {
      const path = resolve(fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url)));
      writeSection(path, {
        name: "postgres",
        title: "PostgreSQL: Hookline nodes against a pg-boss worker",
        report: report.text,
      });
      log(`wrote ${path}`);
    }
  }
} finally {
  await receiver.close();
  for (const child of children) child.kill("SIGKILL");
  await server.stop();
}
process.exit(0);
