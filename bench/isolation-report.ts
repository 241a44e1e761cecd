import { execFileSync } from "node:child_process";
import type { IsolationOptions, ScenarioResult } from "./isolation-scenario.ts";
import { CLIENT_CONCURRENCY } from "./setup.ts";
import { int, mb, ms, percentile, table } from "./stats.ts";
import { machine } from "./system.ts";

/** Issue 4: the healthy endpoints keep ≥ 0.8× their throughput and ≤ 2× their p99. */
export const TARGETS = { throughputRatio: 0.8, p99Ratio: 2 } as const;

type Round = { a: ScenarioResult; b: ScenarioResult };

const median = (values: number[]) =>
  percentile(
    [...values].sort((x, y) => x - y),
    50,
  );
const verdict = (pass: boolean) => (pass ? "PASS" : "MISS");

/** The median of a figure over the rounds in A and in B, and the median of the per-round B/A. */
function compare(rounds: Round[], figure: (r: ScenarioResult) => number) {
  return {
    a: median(rounds.map((r) => figure(r.a))),
    b: median(rounds.map((r) => figure(r.b))),
    ratio: median(rounds.map((r) => figure(r.b) / figure(r.a))),
  };
}

// The same as the delivery benchmark's header line (report.ts keeps its copy private).
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "packages") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes under packages/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

export function renderIsolation(input: {
  rounds: Round[];
  options: IsolationOptions;
  quick: boolean;
}): { text: string; misses: number } {
  const { rounds, options: o } = input;
  const total = o.healthy + o.others;
  const throughput = compare(rounds, (r) => r.perSecond);
  const p50 = compare(rounds, (r) => r.latency.p50);
  const p99 = compare(rounds, (r) => r.latency.p99);
  const throughputPass = throughput.ratio >= TARGETS.throughputRatio;
  const p99Pass = p99.ratio <= TARGETS.p99Ratio;
  const misses = (throughputPass ? 0 : 1) + (p99Pass ? 0 : 1);

  const targets = table(
    [
      `the ${o.healthy} healthy endpoints`,
      `A: ${total} answering`,
      `B: ${o.others} of ${total} hanging`,
      "B / A",
      "target",
      "result",
    ],
    [false, true, true, true, false, false],
    [
      [
        "deliveries/s",
        int(throughput.a),
        int(throughput.b),
        throughput.ratio.toFixed(2),
        `≥ ${TARGETS.throughputRatio.toFixed(2)}`,
        verdict(throughputPass),
      ],
      ["created→received p50 ms", ms(p50.a), ms(p50.b), p50.ratio.toFixed(2), "", ""],
      [
        "created→received p99 ms",
        ms(p99.a),
        ms(p99.b),
        p99.ratio.toFixed(2),
        `≤ ${TARGETS.p99Ratio.toFixed(2)}`,
        verdict(p99Pass),
      ],
    ],
  );

  const perRound = table(
    [
      "run",
      "healthy deliveries/s",
      "created→received p50 / p99 / max ms",
      "failed attempts to the healthy",
      `attempts to each of the ${o.others} others: min / median / max`,
      "hookline peak RSS MB",
      "cores: hookline / receiver / others' receiver / driver / other processes",
    ],
    [false, true, true, true, true, true, false],
    rounds.flatMap((round, i) =>
      [round.a, round.b].map((r) => {
        const attempts = [...r.otherAttempts].sort((x, y) => x - y);
        const c = r.cpu;
        return [
          `${r.sick ? "B" : "A"}${i + 1}`,
          int(r.perSecond),
          `${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)}`,
          int(r.healthyFailures),
          `${attempts[0]} / ${percentile(attempts, 50)} / ${attempts.at(-1)}`,
          `${mb(r.peakRss)} (idle ${mb(r.idleRss)})`,
          [c.cores.hookline, c.cores.receivers, c.cores.others, c.cores.driver, c.others]
            .map((n) => (n ?? 0).toFixed(2))
            .join(" / "),
        ];
      }),
    ),
  );

  const sickAttempts = rounds.flatMap((r) => r.b.otherAttempts);
  const duplicates = rounds.reduce((sum, r) => sum + r.a.duplicates + r.b.duplicates, 0);
  const header = `Command: \`npm run bench:isolation\` (\`-- --write\` updates this section)${input.quick ? " — QUICK RUN, one round of a fifth of the events" : ""}

- Date: ${new Date().toISOString().slice(0, 10)}
- Commit: ${revision()}
- Node: ${process.version}
- Machine: ${machine()}
- Method: the real \`hookline serve\` from source with \`--timeout ${o.timeout}\` on a fresh SQLite file per run, on loopback. ${total} endpoints, each its own port, served by two receiver processes that verify every signature with \`verify\` from \`@hookline/webhooks\`: ${o.healthy} _healthy_ endpoints on one, the ${o.others} _others_ on the other. In scenario A the others answer like the healthy ones; in B they accept the connection and never answer, so each attempt to them lasts until Hookline's timeout. Each run first warms up with ${int(o.warmup)} events to the healthy endpoints alone, then creates the others and sends a burst of ${int(o.events)} events (~1 KB) through \`POST /v1/events\` from ${CLIENT_CONCURRENCY} concurrent keep-alive clients, every event to all ${total} endpoints; the others hang from the first event of the burst, so B includes the onset (a circuit can only open once attempts have timed out). Only the ${int(o.healthy * o.events)} deliveries to the healthy endpoints are measured, in both scenarios: throughput is those deliveries over the time from the first request to the last receipt; created→received is the receiver's CLOCK_MONOTONIC minus the driver's when it started the POST that created the event, so in a burst it includes the time a delivery waited in the queue. The runs alternate A, B, A, B, … (${rounds.length} of each); a figure is the median over the runs of its scenario, a ratio the median of the per-round ratios B/A. _Attempts to the others_ are the attempts Hookline recorded to each (its health report) once every healthy delivery had arrived. _Cores_ is CPU time over wall time of each process during the burst, and of everything else on the machine.`;
  const footer = [
    `The hanging endpoints got ${int(Math.min(...sickAttempts))} to ${int(Math.max(...sickAttempts))} attempts each in a burst of ${int(o.events)} events.`,
    `Every healthy delivery arrived and verified; ${duplicates === 0 ? "no duplicates" : `${int(duplicates)} duplicate receipts (at-least-once)`}.`,
    misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`,
  ].join(" ");
  return { text: [header, targets, perRound, footer].join("\n\n"), misses };
}
