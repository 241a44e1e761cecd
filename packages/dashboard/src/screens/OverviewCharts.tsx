import { useMemo } from "react";
import type { Stats } from "../api/types.ts";
import { Chart } from "../components/Chart.tsx";

const PERCENT: [number, number] = [0, 100];

/** Per-minute charts of the window: volume, success rate, p95 latency. */
export function OverviewCharts({ stats }: { stats: Stats }) {
  const charts = useMemo(() => {
    const b = stats.buckets;
    const times = b.map((x) => x.start);
    return {
      times,
      volume: [
        { label: "Events", values: b.map((x) => x.events), color: "#4256d0" },
        { label: "Delivered", values: b.map((x) => x.attempts_ok), color: "#1a7f37" },
        { label: "Failed", values: b.map((x) => x.attempts_failed), color: "#cf222e" },
      ],
      success: [
        {
          label: "Success %",
          values: b.map((x) => {
            const n = x.attempts_ok + x.attempts_failed;
            return n === 0 ? null : Math.round((x.attempts_ok / n) * 1000) / 10;
          }),
          color: "#1a7f37",
        },
      ],
      latency: [{ label: "p95", values: b.map((x) => x.p95_ms), color: "#8250df" }],
    };
  }, [stats]);
  const { totals } = stats;
  const span = stats.window === "1h" ? "the last hour" : "the last day";
  return (
    <div className="charts">
      <Chart
        title="Events and attempts per minute"
        summary={`Over ${span}: ${totals.events} events, ${totals.attempts_ok} attempts delivered, ${totals.attempts_failed} failed.`}
        times={charts.times}
        series={charts.volume}
      />
      <Chart
        title="Success rate"
        summary={`Success rate over ${span}: ${totals.success_rate === null ? "no attempts" : `${Math.round(totals.success_rate * 1000) / 10} %`}.`}
        times={charts.times}
        series={charts.success}
        unit="%"
        range={PERCENT}
      />
      <Chart
        title="p95 latency"
        summary={`95th percentile attempt duration over ${span}: ${totals.p95_ms ?? "no attempts"} ms.`}
        times={charts.times}
        series={charts.latency}
        unit=" ms"
      />
    </div>
  );
}
