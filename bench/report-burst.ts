import type { BurstResult } from "./burst.ts";
import { type Part, type Run, TARGETS, verdict } from "./delivery-targets.ts";
import { int, mb, ms, table } from "./stats.ts";

const limitMean = (b: BurstResult) => (b.limit[0].perSecond + b.limit[1].perSecond) / 2;
const scenario = (b: BurstResult) =>
  `${int(b.events)} events × ${b.endpoints} endpoint${b.endpoints === 1 ? "" : "s"}, ${b.clients} clients`;

/**
 * Burst throughput, one row per scenario and run. Every burst has the limit's target; one
 * endpoint also has issue 15's: as fast as the API alone accepts events, and no backlog left
 * once the last event is accepted.
 */
export function burstTables(bursts: Run<BurstResult>[]): Part {
  let misses = 0;
  const check = (met: boolean) => {
    if (!met) misses++;
    return verdict(met);
  };
  const rows = bursts.map((b) => {
    const limit = limitMean(b);
    const ratio = b.hookline.perSecond / limit;
    const apiAlone = b.hookline.ingestOnly.perSecond * b.endpoints;
    const apiRatio = b.hookline.perSecond / apiAlone;
    const oneEndpoint = b.endpoints === 1;
    return [
      scenario(b),
      String(b.run),
      `${int(limit)} (${int(b.limit[0].perSecond)}, ${int(b.limit[1].perSecond)})`,
      int(b.hookline.perSecond),
      `${ratio.toFixed(2)} ${check(ratio >= TARGETS.throughputRatio)}`,
      int(b.hookline.ingestOnly.perSecond),
      `${apiRatio.toFixed(2)}${oneEndpoint ? ` ${check(apiRatio >= TARGETS.apiAloneRatio)}` : ""}`,
      `${int(b.hookline.lagMs)}${oneEndpoint ? ` ${check(b.hookline.lagMs <= TARGETS.lagMs)}` : ""}`,
      `${ms(b.hookline.latency.p50)} / ${ms(b.hookline.latency.p99)}`,
    ];
  });
  const throughput = table(
    [
      "scenario",
      "run",
      "limit deliveries/s (before, after)",
      "hookline deliveries/s",
      `÷ limit (≥ ${TARGETS.throughputRatio.toFixed(2)})`,
      "API alone events/s",
      `÷ API alone × endpoints (≥ ${TARGETS.apiAloneRatio.toFixed(2)}, 1 endpoint)`,
      `last receipt − last accepted ms (≤ ${int(TARGETS.lagMs)}, 1 endpoint)`,
      "created→received p50 / p99 ms",
    ],
    [false, true, true, true, false, true, false, false, true],
    rows,
  );
  const details = table(
    [
      "scenario",
      "run",
      "hookline events accepted/s",
      "API alone: cores",
      "hookline peak RSS MB",
      "cores: hookline / receiver / driver / others",
      "cores in the limit: receiver / driver / others",
    ],
    [false, true, true, true, true, false, false],
    bursts.map((b) => {
      const c = b.hookline.cpu;
      const l = b.limit[0].cpu;
      return [
        scenario(b),
        String(b.run),
        int(b.hookline.ingestPerSecond),
        b.hookline.ingestOnly.cores.toFixed(2),
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
