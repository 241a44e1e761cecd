import { verdict } from "./delivery-targets.ts";
import { describeBoss } from "./postgres-boss-config.ts";
import type { DrainFigures } from "./postgres-measure.ts";
import { CLIENTS } from "./postgres-systems.ts";
import { type Distribution, int, ms, table } from "./stats.ts";

/** Issue 15's targets for Hookline on PostgreSQL, one node and two. */
export const PG_TARGETS = { ratioToBoss: 5, p99Ms: 20 } as const;

export interface SystemResult {
  name: string;
  run: number;
  burst: number;
  drain: DrainFigures;
  latency: Distribution;
}

/** The report: one row per system and run, Hookline's ratios against the same run's pg-boss. */
export function renderPostgres(
  results: SystemResult[],
  sizes: { events: number; rate: number; seconds: number; runs: number; quick: boolean },
): { text: string; misses: number } {
  let misses = 0;
  const check = (met: boolean) => {
    if (!met) misses++;
    return verdict(met);
  };
  const bossOf = (run: number) => results.find((r) => r.run === run && r.name === "pg-boss")!;
  const rows = results.map((r) => {
    const boss = bossOf(r.run);
    const isBoss = r === boss;
    const ratio = (ours: number, theirs: number) =>
      isBoss
        ? "1.0×"
        : `${(ours / theirs).toFixed(1)}× ${check(ours >= PG_TARGETS.ratioToBoss * theirs)}`;
    const incomplete = r.drain.complete
      ? ""
      : ` (${int(r.drain.delivered)} of ${int(sizes.events)})`;
    return [
      r.name,
      String(r.run),
      int(r.burst),
      ratio(r.burst, boss.burst),
      `${int(r.drain.perSecond)}${incomplete}`,
      ratio(r.drain.perSecond, boss.drain.perSecond),
      ms(r.latency.p50),
      isBoss
        ? ms(r.latency.p99)
        : `${ms(r.latency.p99)} ${check(r.latency.p99 <= PG_TARGETS.p99Ms)}`,
    ];
  });
  const how = `\`npm run bench:postgres -- --write${sizes.runs > 1 ? ` --runs=${sizes.runs}` : ""}\`, ${new Date().toISOString().slice(0, 10)}${sizes.quick ? " (QUICK RUN, a tenth of the sizes)" : ""}; one endpoint; a verifying receiver on loopback; one PostgreSQL server (fsync on) for all; a fresh database per system and run. _Burst_: ${int(sizes.events)} events as fast as ${CLIENTS} keep-alive clients send them, first send to last receipt. _Drain_: ${int(sizes.events)} events sent while held (Hookline: the endpoint disabled, then enabled and \`POST …/recover\` with \`since: 0\`; pg-boss: its workers stopped with \`offWork\`, then started again), from the release to the last receipt, nothing else sent meanwhile. _Latency_: ${sizes.rate} events/s for ${sizes.seconds} s, send → receipt. With two nodes the driver sends to both in turn.

Baseline: ${describeBoss()}.

Targets: Hookline's burst and drain ≥ ${PG_TARGETS.ratioToBoss}× pg-boss's in the same run; p99 at ${sizes.rate}/s ≤ ${PG_TARGETS.p99Ms} ms.`;
  const text = table(
    [
      "system",
      "run",
      "burst deliveries/s",
      `÷ pg-boss (≥ ${PG_TARGETS.ratioToBoss}×)`,
      "drain deliveries/s",
      `÷ pg-boss (≥ ${PG_TARGETS.ratioToBoss}×)`,
      `p50 ms at ${sizes.rate}/s`,
      `p99 ms at ${sizes.rate}/s (≤ ${PG_TARGETS.p99Ms})`,
    ],
    [false, true, true, false, true, false, true, false],
    rows,
  );
  const footer =
    misses === 0 ? "All targets met." : `${misses} target${misses === 1 ? "" : "s"} missed.`;
  return { text: `${how}\n\n${text}\n\n${footer}`, misses };
}
