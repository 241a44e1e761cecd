import { type Part, type Run, TARGETS, verdict } from "./delivery-targets.ts";
import type { LatencyResult } from "./latency.ts";
import { int, ms, table } from "./stats.ts";

const cores = (l: LatencyResult) => {
  const c = l.cpu.cores;
  return [c.hookline, c.receiver, c.driver, l.cpu.others]
    .map((n) => (n ?? 0).toFixed(2))
    .join(" / ");
};

/**
 * Latency at a steady rate, one row per run. A warm Hookline has the p50 and p99 targets; a
 * fresh one (issue 15) the p99 target, with its first events shown apart since a cold start
 * shows there.
 */
export function latencyTable(runs: Run<LatencyResult>[]): Part {
  let misses = 0;
  const check = (met: boolean) => {
    if (!met) misses++;
    return verdict(met);
  };
  const fresh = runs[0]?.fresh === true;
  // [header, right-aligned, cell]; the p50 target and the first events' column depend on `fresh`.
  type Column = [string, boolean, (l: Run<LatencyResult>) => string];
  const firstColumn: Column = [
    `first ${int(runs[0]?.firstCount ?? 0)}: p50 / p99 / max ms`,
    true,
    (l) => `${ms(l.first.p50)} / ${ms(l.first.p99)} / ${ms(l.first.max)}`,
  ];
  const columns: Column[] = [
    ["run", true, (l) => String(l.run)],
    fresh
      ? ["receipt p50 ms", true, (l) => ms(l.hookline.p50)]
      : [
          `receipt p50 ms (≤ ${TARGETS.p50Ms})`,
          false,
          (l) => `${ms(l.hookline.p50)} ${check(l.hookline.p50 <= TARGETS.p50Ms)}`,
        ],
    ["p90 ms", true, (l) => ms(l.hookline.p90)],
    [
      `p99 ms (≤ ${TARGETS.p99Ms})`,
      false,
      (l) => `${ms(l.hookline.p99)} ${check(l.hookline.p99 <= TARGETS.p99Ms)}`,
    ],
    ["max ms", true, (l) => ms(l.hookline.max)],
    ...(fresh ? [firstColumn] : []),
    ["API answer p50 / p99 ms", true, (l) => `${ms(l.ack.p50)} / ${ms(l.ack.p99)}`],
    ["limit p50 / p99 ms", true, (l) => `${ms(l.limit.p50)} / ${ms(l.limit.p99)}`],
    ["cores: hookline / receiver / driver / others", false, cores],
    ["timer late ms", true, (l) => ms(l.maxLateMs)],
  ];
  const text = table(
    columns.map(([header]) => header),
    columns.map(([, right]) => right),
    runs.map((l) => columns.map(([, , cell]) => cell(l))),
  );
  return { text, misses };
}

/** The section title of a group of latency runs. */
export function latencyTitle(l: LatencyResult): string {
  const mode =
    l.durability === "fsync"
      ? "`--durability fsync` (the default: acknowledged events are fsynced)"
      : "`--durability process` (acknowledged events survive `kill -9`, not a power cut)";
  const what = l.fresh
    ? `from a fresh start (no warm-up of Hookline), ${int(l.events)} events, ${l.clients} clients`
    : `${int(l.events)} events after a warm-up, ${l.clients} clients`;
  return `Latency at a steady ${l.perSecond} events/s: ${what}, ${mode}`;
}
