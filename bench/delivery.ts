/**
 * Delivery throughput, latency and memory of the real `hookline serve`, against the limit: a plain
 * undici loop that signs and POSTs the same event bytes at the same concurrency, with no
 * persistence, to the same verifying receiver, in the same run.
 *
 *   npm run bench:delivery                   prints the report
 *   npm run bench:delivery -- --write        also rewrites its section of docs/benchmarks.md
 *   npm run bench:delivery -- --quick        a tenth of the sizes (a smoke run; never --write it)
 *   npm run bench:delivery -- --profile      CPU profiles of each Hookline child in .tmp/profiles/
 *   npm run bench:delivery -- --only=drain   some scenarios (repeatable, comma-separated): one-endpoint,
 *                                            one-endpoint-50, ten-endpoints, latency, fresh-start,
 *                                            flaky, fail-twice, drain, batch, backlog
 *   npm run bench:delivery -- --runs=5       every selected scenario five times, in turn; every run
 *                                            is reported (issue 15's targets are over five runs)
 *
 * Three processes share the machine: this driver (the client of Hookline's API, and the limit's
 * sender), the receiver, and Hookline. Everything goes over loopback. Throughput is deliveries
 * divided by the time from the first request to the last receipt; latency is the receiver's
 * CLOCK_MONOTONIC minus the driver's at the moment it started the POST that created the event.
 * Nothing here asserts on time: a missed target is reported, never thrown. A rejected signature,
 * a lost delivery or a timeout fails the run (exit code 1).
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { emptyResults, SCENARIOS, signatureFailures } from "./delivery-scenarios.ts";
import { render } from "./report.ts";
import type { RunContext } from "./setup.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: process.env.BENCH_WRITE === "1" },
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    runs: { type: "string", default: "1" },
  },
});
const only = new Set((flags.only ?? []).flatMap((s) => s.split(",")));
const unknown = [...only].filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(", ")}; the scenarios: ${Object.keys(SCENARIOS).join(", ")}\n`,
  );
  process.exit(2);
}
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs takes a whole number ≥ 1, not ${flags.runs}\n`);
  process.exit(2);
}
// Said before minutes of running, not after: the docs only take a full run of every scenario.
if (flags.write && (flags.quick || only.size > 0)) {
  process.stderr.write("--write takes a full run of every scenario (no --quick, no --only)\n");
  process.exit(2);
}
const scale = flags.quick ? 0.1 : 1;
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const profiles = join(root, ".tmp/profiles");

// Children die with the driver, whatever ends it: a benchmark must never leave servers behind.
const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const child of children) child.kill("SIGKILL");
};
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping\n`);
    process.exit(130);
  });
}
// A full run of every scenario takes minutes; a stuck one must not hold the machine for hours.
const WATCHDOG_MINUTES = 20 * runs;
const watchdog = setTimeout(() => {
  process.stderr.write(`\nthe benchmark ran past ${WATCHDOG_MINUTES} minutes: stopping\n`);
  process.exit(1);
}, WATCHDOG_MINUTES * 60_000);

if (flags.profile) {
  rmSync(profiles, { recursive: true, force: true });
  mkdirSync(profiles, { recursive: true });
}
const started = performance.now();
const ctx: RunContext = {
  children,
  serverNodeOptions: (scenario) =>
    flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${join(profiles, scenario)}`] : [],
  log: (line) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
};

try {
  const results = emptyResults();
  for (let run = 1; run <= runs; run++) {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only.size > 0 && !only.has(name)) continue;
      if (runs > 1) ctx.log(`run ${run} of ${runs}: ${name}`);
      await scenario({ ctx, scale, run, results });
    }
  }
  const failures = signatureFailures(results);
  if (failures > 0) throw new Error(`the receiver rejected ${failures} signatures`);

  const report = render({ ...results, quick: flags.quick === true, runs });
  console.log(`\n${report.text}`);
  if (flags.write) {
    const path = writeSection(join(root, "docs/benchmarks.md"), {
      name: "delivery",
      title: "hookline: delivery",
      report: report.text,
    });
    ctx.log(`wrote ${path}`);
  }
  if (flags.profile) ctx.log(`CPU profiles of Hookline in ${profiles}`);
  ctx.log(
    `done; ${report.misses === 0 ? "every target met" : `${report.misses} target(s) missed`}`,
  );
  clearTimeout(watchdog);
} catch (error) {
  process.stderr.write(
    `\nbench:delivery FAILED: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
}
