import type { Stats } from "../api/types.ts";

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

/** The window's headline numbers. */
export function Totals({ stats }: { stats: Stats }) {
  const { totals } = stats;
  const attempts = totals.attempts_ok + totals.attempts_failed;
  const tiles = [
    { label: "Events", value: String(totals.events) },
    { label: "Attempts", value: String(attempts) },
    { label: "Success rate", value: percent(totals.success_rate) },
    { label: "p95 latency", value: totals.p95_ms === null ? "—" : `${totals.p95_ms} ms` },
  ];
  return (
    <dl className="tiles">
      {tiles.map((t) => (
        <div key={t.label} className="tile">
          <dt>{t.label}</dt>
          <dd data-tile={t.label}>{t.value}</dd>
        </div>
      ))}
    </dl>
  );
}
