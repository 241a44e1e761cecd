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
  const all = o.healthy + o.others;
  const rate = o.steady.perSecond;
  const throughput = compare(rounds, (r) => r.burst.perSecond);
  const burstP99 = compare(rounds, (r) => r.burst.latency.p99);
  const steadyP50 = compare(rounds, (r) => r.steady.latency.p50);
  const steadyP99 = compare(rounds, (r) => r.steady.latency.p99);
  const steadyMax = compare(rounds, (r) => r.steady.latency.max);
  const throughputPass = throughput.ratio >= TARGETS.throughputRatio;
  const p99Pass = steadyP99.ratio <= TARGETS.p99Ratio;
  const misses = (throughputPass ? 0 : 1) + (p99Pass ? 0 : 1);
  const row = (label: string, c: ReturnType<typeof compare>, f: (n: number) => string) => [
    label,
    f(c.a),
    f(c.b),
    c.ratio.toFixed(2),
  ];

  const targets = table(
    [
      `the ${o.healthy} healthy endpoints`,
      `A: ${all} answering`,
      `B: ${o.others} of ${all} hanging`,
      "B / A",
      "target",
      "result",
    ],
    [false, true, true, true, false, false],
    [
      [...row(`steady ${rate} events/s: created→received p50 ms`, steadyP50, ms), "", ""],
      [
        ...row(`steady ${rate} events/s: created→received p99 ms`, steadyP99, ms),
        `≤ ${TARGETS.p99Ratio.toFixed(2)}`,
        verdict(p99Pass),
      ],
      [...row(`steady ${rate} events/s: created→received max ms`, steadyMax, ms), "", ""],
      [
        ...row("burst: deliveries/s", throughput, int),
        `≥ ${TARGETS.throughputRatio.toFixed(2)}`,
        verdict(throughputPass),
      ],
      [...row("burst: created→received p99 ms (queueing included)", burstP99, ms), "", ""],
    ],
  );

  const perRun = table(
    [
      "run",
      "steady p50 / p99 / max ms",
      "burst deliveries/s",
      "burst p99 ms",
      "failed attempts to the healthy",
      `attempts to each of the ${o.others} others: min / median / max`,
      "hookline peak RSS MB",
      "cores in the burst: hookline / receiver / others' receiver / driver / other processes",
    ],
    [false, true, true, true, true, true, true, false],
    rounds.flatMap((round, i) =>
      [round.a, round.b].map((r) => {
        const attempts = [...r.otherAttempts].sort((x, y) => x - y);
        const c = r.cpu;
        const s = r.steady.latency;
        return [
          `${r.sick ? "B" : "A"}${i + 1}`,
          `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`,
          int(r.burst.perSecond),
          ms(r.burst.latency.p99),
          int(r.healthyFailures),
          `${attempts[0]} / ${percentile(attempts, 50)} / ${attempts.at(-1)}`,
          `${mb(r.peakRss)} (idle ${mb(r.idleRss)})`,
          [c.cores.hookline, c.cores.receiver, c.cores.others, c.cores.driver, c.others]
            .map((n) => (n ?? 0).toFixed(2))
            .join(" / "),
        ];
      }),
    ),
  );

  const sick = rounds.flatMap((r) => r.b.otherAttempts);
  const duplicates = rounds.reduce(
    (sum, r) =>
      sum +
      r.a.steady.duplicates +
      r.a.burst.duplicates +
      r.b.steady.duplicates +
      r.b.burst.duplicates,
    0,
  );
  const steadyEvents = Math.round(rate * o.steady.seconds);
  const header = `Command: \`npm run bench:isolation\` (\`-- --write\` updates this section)${input.quick ? " — QUICK RUN, one round of short phases" : ""}

- Date: ${new Date().toISOString().slice(0, 10)}
- Commit: ${revision()}
- Node: ${process.version}
- Machine: ${machine()}
- Method: the real \`hookline serve\` from source with \`--timeout ${o.timeout}\`, on a fresh SQLite file per run, on loopback. ${all} endpoints, each its own port, served by two receiver processes that verify every signature with \`verify\` from \`@hookline/webhooks\`: the ${o.healthy} _healthy_ endpoints on one, the ${o.others} _others_ on the other. In scenario A the others answer like the healthy ones; in B they accept the connection and never answer, so every attempt to them lasts until Hookline's timeout. A run warms up with ${int(o.warmup)} events to the healthy endpoints alone and waits until none is open, then creates the others and sends, through \`POST /v1/events\`, every event to all ${all} endpoints: first ${int(steadyEvents)} events at a steady ${rate} events/s (an open loop; in B the others hang from its first event, so this phase holds the onset: a circuit can only open once attempts have timed out), then a burst of ${int(o.burst)} events from ${CLIENT_CONCURRENCY} concurrent keep-alive clients (in B the others still hang, their circuits open). Events are ~1 KB. Only deliveries to the healthy endpoints are measured: throughput is those deliveries over the time from the first request to the last receipt; created→received is the receiver's CLOCK_MONOTONIC minus the driver's when it started the POST that created the event (in the burst it includes the time a delivery waited in the queue). The runs alternate A, B, A, B, … (${rounds.length} of each) because other work on the machine comes and goes; a figure is the median over the runs of its scenario, a ratio the median of the per-round ratios B/A. _Attempts to the others_ are those Hookline recorded (its health report) at the end of the run. _Cores_ is CPU time over wall time of each process during the burst, and of everything else on the machine.`;
  const footer = [
    `In B the hanging endpoints got ${int(Math.min(...sick))} to ${int(Math.max(...sick))} attempts each over the run (${int(steadyEvents + o.burst)} events each).`,
    `Every healthy delivery arrived and verified; ${duplicates === 0 ? "no duplicates" : `${int(duplicates)} duplicate receipts (at-least-once)`}.`,
    misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`,
  ].join(" ");
  return { text: [header, targets, perRun, footer].join("\n\n"), misses };
}
