/**
 * Delivery throughput, latency and memory of the real `hookline serve`, against the limit: a plain
 * undici loop that signs and POSTs the same event bytes at the same concurrency, with no
 * persistence, to the same verifying receiver, in the same run.
 *
 *   npm run bench:delivery                   prints the report
 *   npm run bench:delivery -- --write        also rewrites its section of docs/benchmarks.md
 *   npm run bench:delivery -- --quick        a tenth of the sizes (a smoke run; never --write it)
 *   npm run bench:delivery -- --profile      CPU profiles of each Hookline child in .tmp/profiles/
 *   npm run bench:delivery -- --only=latency one scenario: one-endpoint, ten-endpoints, latency,
 *                                            backlog (repeatable, comma-separated)
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
import { type BacklogResult, backlog } from "./backlog.ts";
import { type BurstResult, burst } from "./burst.ts";
import { type LatencyResult, steady } from "./latency.ts";
import { render } from "./report.ts";
import type { RunContext } from "./setup.ts";
import { writeSection } from "./write-docs.ts";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: process.env.BENCH_WRITE === "1" },
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
  },
});
const only = new Set((flags.only ?? []).flatMap((s) => s.split(",")));
const wanted = (name: string) => only.size === 0 || only.has(name);
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
const watchdog = setTimeout(() => {
  process.stderr.write("\nthe benchmark ran past 10 minutes: stopping\n");
  process.exit(1);
}, 600_000);

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
  const bursts: BurstResult[] = [];
  if (wanted("one-endpoint")) {
    bursts.push(
      await burst(ctx, {
        name: "one-endpoint",
        events: 20_000 * scale,
        endpoints: 1,
        warmup: 1_000 * scale,
      }),
    );
  }
  if (wanted("ten-endpoints")) {
    bursts.push(
      await burst(ctx, {
        name: "ten-endpoints",
        events: 2_000 * scale,
        endpoints: 10,
        warmup: 200 * scale,
      }),
    );
  }
  const latency: LatencyResult[] = [];
  if (wanted("latency")) {
    for (const durability of ["fsync", "process"] as const) {
      latency.push(
        await steady(ctx, {
          perSecond: 200,
          seconds: 10 * scale,
          warmupSeconds: 2 * scale,
          durability,
        }),
      );
    }
  }
  let memory: BacklogResult | undefined;
  if (wanted("backlog")) {
    memory = await backlog(ctx, { events: 10_000 * scale, endpoints: 10, settleMs: 3000 });
  }
  const failures =
    bursts.reduce((sum, b) => sum + b.failures, 0) +
    latency.reduce((sum, l) => sum + l.failures, 0);
  if (failures > 0) throw new Error(`the receiver rejected ${failures} signatures`);

  const report = render({ bursts, latency, memory, quick: flags.quick === true });
  console.log(`\n${report.text}`);
  if (flags.write) {
    if (flags.quick || only.size > 0) throw new Error("--write takes a full run of every scenario");
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
