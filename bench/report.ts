import { execFileSync } from "node:child_process";
import type { BacklogResult } from "./backlog.ts";
import type { BatchIngestResult } from "./batch-ingest.ts";
import type { BurstResult } from "./burst.ts";
import { type Part, type Run, TARGETS, verdict } from "./delivery-targets.ts";
import type { DrainResult } from "./drain.ts";
import type { FailTwiceResult } from "./fail-twice.ts";
import type { FlakyResult } from "./flaky.ts";
import type { LatencyResult } from "./latency.ts";
import { burstTables } from "./report-burst.ts";
import { latencyTable, latencyTitle } from "./report-latency.ts";
import { batchTable, drainTable, failTwiceTable, flakyTable } from "./report-retries.ts";
import { int, mb, table } from "./stats.ts";
import { machine } from "./system.ts";

export interface Results {
  bursts: Run<BurstResult>[];
  latency: Run<LatencyResult>[];
  flaky: Run<FlakyResult>[];
  failTwice: Run<FailTwiceResult>[];
  drain: Run<DrainResult>[];
  batch: Run<BatchIngestResult>[];
  memory: Run<BacklogResult>[];
}

function memoryTable(runs: Run<BacklogResult>[]): Part {
  let misses = 0;
  const first = runs[0]!;
  const rows = runs.map((m) => {
    const met = m.peakRss <= TARGETS.rssBytes && m.unfinished >= TARGETS.backlogDeliveries;
    if (!met) misses++;
    return [
      String(m.run),
      mb(m.idleRss),
      mb(m.peakRss),
      mb(m.settledRss),
      int(m.unfinished),
      verdict(met),
    ];
  });
  const how = `${int(first.events)} events × ${first.endpoints} endpoints pointing at a stalled receiver (it accepts connections and never answers); Hookline runs with \`--timeout 5m\`, so 256 attempts stay in flight and every other delivery stays pending in the store. Hookline runs built here (\`packages/server/dist/cli.js\`, as \`npm start\` runs it), without the tsx loader the other scenarios run under; its resident set includes the sender's thread. Unfinished deliveries are counted through the API. Target: peak ≤ ${mb(TARGETS.rssBytes)} MB with ${int(TARGETS.backlogDeliveries)} unfinished.`;
  const text = table(
    [
      "run",
      "idle RSS MB (baseline)",
      "peak RSS MB, while accepting",
      "RSS MB 3 s after the last event",
      "unfinished",
      "result",
    ],
    [true, true, true, true, true, false],
    rows,
  );
  return { text: `${how}\n\n${text}`, misses };
}

/** The commit measured, and whether the server's or SDK's sources differed from it. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "packages") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes under packages/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** Groups latency runs by their kind (durability, fresh or warm), in the order first seen. */
function latencyGroups(runs: Run<LatencyResult>[]): Run<LatencyResult>[][] {
  const groups = new Map<string, Run<LatencyResult>[]>();
  for (const l of runs) {
    const key = `${l.durability}/${l.fresh}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  return [...groups.values()];
}

export function render(input: Results & { quick: boolean; runs: number }): Part {
  const parts: string[] = [];
  let misses = 0;
  const add = (title: string, part: Part) => {
    parts.push(`### ${title}\n\n${part.text}`);
    misses += part.misses;
  };
  if (input.bursts.length > 0) add("Burst throughput", burstTables(input.bursts));
  for (const group of latencyGroups(input.latency)) {
    add(latencyTitle(group[0]!), latencyTable(group));
  }
  if (input.flaky.length > 0)
    add("A flaky endpoint: 20% of first attempts answer 500", flakyTable(input.flaky));
  if (input.failTwice.length > 0)
    add("An endpoint that fails twice, then answers", failTwiceTable(input.failTwice));
  if (input.drain.length > 0)
    add("Backlog drain: recover a disabled endpoint's deliveries", drainTable(input.drain));
  if (input.batch.length > 0)
    add("Batch ingest to one endpoint: POST /v1/events/batch", batchTable(input.batch));
  if (input.memory.length > 0) add("Memory with a backlog", memoryTable(input.memory));
  const header = `Command: \`npm run bench:delivery${input.runs > 1 ? ` -- --runs=${input.runs}` : ""}\` (\`--write\` updates this section)${input.quick ? " — QUICK RUN, a tenth of the sizes" : ""}

- Date: ${new Date().toISOString().slice(0, 10)}
- Commit: ${revision()}
- Node: ${process.version}
- Machine: ${machine()}
- Runs: ${input.runs}, the scenarios in turn each run; every run is reported.
- Method: three processes on loopback: the driver, a receiver that verifies every signature with \`verify\` from \`@hookline/webhooks\` (one \`node:http\` server per endpoint, each its own port, \`whsec_\` secrets), and the real \`hookline serve\` from source on a fresh SQLite file per scenario and run. Hookline is fed through \`POST /v1/events\` by concurrent keep-alive clients (32, or 50 where a table says so: the driver issue 15 was found with); each event is ~1 KB as delivered. _Limit_ (the loop): the driver signs (both header sets, as Hookline does) and POSTs the same event bytes straight to the receiver with undici, at Hookline's delivery concurrency (32 per endpoint, at most 256 in all) and with the same Agent settings; no persistence. In the bursts the limit runs before and after Hookline; the ratio is against their mean. _API alone_: after those runs, the same number of events posted the same way to a tenant without endpoints, so nothing is delivered: what one Hookline process can accept on this machine when every event is its own request; with one endpoint, Hookline can deliver no faster. Throughput is deliveries over the time from the first request to the last receipt; created→received is the receiver's CLOCK_MONOTONIC minus the driver's when it started the POST that created the event. Every run warms up first, except where a table says it starts fresh. _Cores_ is CPU time over wall time of each process during the run, and of everything else on the machine.`;
  const duplicates =
    input.bursts.reduce((sum, b) => sum + b.hookline.duplicates, 0) +
    input.latency.reduce((sum, l) => sum + l.duplicates, 0) +
    input.flaky.reduce((sum, f) => sum + f.duplicates, 0);
  const footer = [
    `Every delivery verified; ${duplicates === 0 ? "no duplicates" : `${int(duplicates)} duplicate receipts (at-least-once)`}.`,
    misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`,
  ].join(" ");
  return { text: [header, ...parts, footer].join("\n\n"), misses };
}
