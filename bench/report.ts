import { execFileSync } from "node:child_process";
import type { BacklogResult } from "./backlog.ts";
import type { BurstResult } from "./burst.ts";
import type { LatencyResult } from "./latency.ts";
import { CLIENT_CONCURRENCY } from "./setup.ts";
import { int, mb, ms, table } from "./stats.ts";
import { machine } from "./system.ts";

/** The targets of the issue: ratios to the limit for throughput, absolute for latency and memory. */
export const TARGETS = {
  throughputRatio: 0.5,
  p50Ms: 2,
  p99Ms: 15,
  rssBytes: 200 * 1024 * 1024,
  backlogDeliveries: 100_000,
} as const;

const verdict = (pass: boolean) => (pass ? "PASS" : "MISS");

function burstTables(bursts: BurstResult[]) {
  let misses = 0;
  const rows = bursts.map((b) => {
    const limit = (b.limit[0].perSecond + b.limit[1].perSecond) / 2;
    const ratio = b.hookline.perSecond / limit;
    const pass = ratio >= TARGETS.throughputRatio;
    if (!pass) misses++;
    return [
      `${int(b.events)} events × ${b.endpoints} endpoint${b.endpoints === 1 ? "" : "s"}`,
      int(b.hookline.deliveries),
      `${int(limit)} (${int(b.limit[0].perSecond)}, ${int(b.limit[1].perSecond)})`,
      int(b.hookline.perSecond),
      ratio.toFixed(2),
      `≥ ${TARGETS.throughputRatio.toFixed(2)}`,
      verdict(pass),
    ];
  });
  const throughput = table(
    [
      "scenario",
      "deliveries",
      "limit deliveries/s (before, after)",
      "hookline deliveries/s",
      "ratio",
      "target",
      "result",
    ],
    [false, true, true, true, true, false, false],
    rows,
  );
  const details = table(
    [
      "scenario",
      "hookline events accepted/s",
      "API alone: events/s (cores), × endpoints / limit",
      "created→received p50 / p99 ms (queueing included)",
      "hookline peak RSS MB",
      "cores: hookline / receiver / driver / others",
      "cores in the limit: receiver / driver / others",
    ],
    [false, true, true, true, true, false, false],
    bursts.map((b) => {
      const c = b.hookline.cpu;
      const l = b.limit[0].cpu;
      const only = b.hookline.ingestOnly;
      const limit = (b.limit[0].perSecond + b.limit[1].perSecond) / 2;
      return [
        `${int(b.events)} × ${b.endpoints}`,
        int(b.hookline.ingestPerSecond),
        `${int(only.perSecond)} (${only.cores.toFixed(2)}), ${((only.perSecond * b.endpoints) / limit).toFixed(2)}`,
        `${ms(b.hookline.latency.p50)} / ${ms(b.hookline.latency.p99)}`,
        `${mb(b.hookline.peakRss)} (idle ${mb(b.hookline.idleRss)})`,
        [c.cores.hookline, c.cores.receiver, c.cores.driver, c.others]
          .map((n) => (n ?? 0).toFixed(2))
          .join(" / "),
        [l.cores.receiver, l.cores.driver, l.others].map((n) => (n ?? 0).toFixed(2)).join(" / "),
      ];
    }),
  );
  return { text: `${throughput}\n\n${details}`, misses };
}

function latencyTable(l: LatencyResult) {
  const p50 = l.hookline.p50 <= TARGETS.p50Ms;
  const p99 = l.hookline.p99 <= TARGETS.p99Ms;
  const row = (label: string, d: LatencyResult["hookline"]) => [
    label,
    ms(d.p50),
    ms(d.p90),
    ms(d.p99),
    ms(d.max),
  ];
  const text = table(
    ["from event creation to", "p50 ms", "p90 ms", "p99 ms", "max ms"],
    [false, true, true, true, true],
    [
      row("receipt, through Hookline", l.hookline),
      row("the API's answer (event committed)", l.ack),
      row("receipt, limit (a signed POST, no Hookline)", l.limit),
      ["target (Hookline receipt)", `≤ ${TARGETS.p50Ms}`, "", `≤ ${TARGETS.p99Ms}`, ""],
      ["result", verdict(p50), "", verdict(p99), ""],
    ],
  );
  const c = l.cpu;
  const cores = `Cores during Hookline's run: hookline ${c.cores.hookline?.toFixed(2)}, receiver ${c.cores.receiver?.toFixed(2)}, driver ${c.cores.driver?.toFixed(2)}, other processes ${c.others.toFixed(2)}; the timer started requests at most ${ms(l.maxLateMs)} ms late.`;
  return { text: `${text}\n\n${cores}`, misses: (p50 ? 0 : 1) + (p99 ? 0 : 1) };
}

function memoryTable(m: BacklogResult) {
  const enough = m.unfinished >= TARGETS.backlogDeliveries;
  const pass = m.peakRss <= TARGETS.rssBytes && enough;
  const text = table(
    ["Hookline resident set", "MB"],
    [false, true],
    [
      ["idle, after start (baseline)", mb(m.idleRss)],
      [
        `peak, while ${int(m.events)} events × ${m.endpoints} endpoints were accepted`,
        mb(m.peakRss),
      ],
      ["3 s after the last event, backlog still there", mb(m.settledRss)],
    ],
  );
  const how = `The endpoints point at a stalled receiver (it accepts connections and never answers) and Hookline runs with \`--timeout 5m\`, so 256 attempts stay in flight and every other delivery stays pending in the store. Hookline runs built here (\`packages/server/dist/cli.js\`, as \`npm start\` runs it), without the tsx loader the other scenarios run under; its resident set includes the sender's thread.`;
  const line = `${int(m.unfinished)} deliveries unfinished (counted through the API); target: peak ≤ ${mb(TARGETS.rssBytes)} MB with ${int(TARGETS.backlogDeliveries)} unfinished: ${verdict(pass)}`;
  return { text: `${how}\n\n${text}\n\n${line}`, misses: pass ? 0 : 1 };
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

export function render(input: {
  bursts: BurstResult[];
  latency: LatencyResult[];
  memory: BacklogResult | undefined;
  quick: boolean;
}): { text: string; misses: number } {
  const parts: string[] = [];
  let misses = 0;
  const add = (title: string, part: { text: string; misses: number }) => {
    parts.push(`### ${title}\n\n${part.text}`);
    misses += part.misses;
  };
  if (input.bursts.length > 0) add("Burst throughput", burstTables(input.bursts));
  for (const l of input.latency) {
    const mode =
      l.durability === "fsync"
        ? "`--durability fsync` (the default: acknowledged events are fsynced)"
        : "`--durability process` (acknowledged events survive `kill -9`, not a power cut)";
    add(`Latency at a steady ${l.perSecond} events/s, ${mode}`, latencyTable(l));
  }
  if (input.memory) add("Memory with a backlog", memoryTable(input.memory));
  const header = `Command: \`npm run bench:delivery\` (\`-- --write\` updates this section)${input.quick ? " — QUICK RUN, a tenth of the sizes" : ""}

- Date: ${new Date().toISOString().slice(0, 10)}
- Commit: ${revision()}
- Node: ${process.version}
- Machine: ${machine()}
- Method: three processes on loopback: the driver, a receiver that verifies every signature with \`verify\` from \`@hookline/webhooks\` (one \`node:http\` server per endpoint, each its own port, \`whsec_\` secrets), and the real \`hookline serve\` from source on a fresh SQLite file per scenario. Hookline is fed through \`POST /v1/events\` by ${CLIENT_CONCURRENCY} concurrent keep-alive clients; each event is ~1 KB as delivered. _Limit_: the driver signs (both header sets, as Hookline does) and POSTs the same event bytes straight to the receiver with undici, at Hookline's delivery concurrency (32 per endpoint, at most 256 in all) and with the same Agent settings; no persistence. The limit runs before and after Hookline; the ratio is against their mean. _API alone_: after those runs, the same number of events posted the same way to a tenant without endpoints, so nothing is delivered: what one Hookline process can accept on this machine when every event is its own request. Times the endpoints, that is a ceiling on its deliveries/s; below 0.5 of the limit, the burst target cannot be met whatever delivering costs. Throughput is deliveries over the time from the first request to the last receipt; created→received is the receiver's CLOCK_MONOTONIC minus the driver's when it started the POST that created the event. Every run warms up first. _Cores_ is CPU time over wall time of each process during the run, and of everything else on the machine.`;
  const duplicates =
    input.bursts.reduce((sum, b) => sum + b.hookline.duplicates, 0) +
    input.latency.reduce((sum, l) => sum + l.duplicates, 0);
  const footer = [
    `Every delivery arrived and verified; ${duplicates === 0 ? "no duplicates" : `${int(duplicates)} duplicate receipts (at-least-once)`}.`,
    misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`,
  ].join(" ");
  return { text: [header, ...parts, footer].join("\n\n"), misses };
}
