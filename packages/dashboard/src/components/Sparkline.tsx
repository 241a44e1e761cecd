import type { Stats } from "../api/types.ts";

/**
 * An endpoint's last hour as bars, one per minute: green height = attempts ok, red = failed.
 * Plain SVG: a hundred of these on a page must stay cheap.
 */
export function Sparkline({ stats }: { stats: Stats | undefined }) {
  if (stats === undefined) return <span className="spark muted">…</span>;
  const { buckets, totals } = stats;
  const max = Math.max(1, ...buckets.map((b) => b.attempts_ok + b.attempts_failed));
  const width = buckets.length * 2;
  const label = `Last hour: ${totals.attempts_ok} attempts ok, ${totals.attempts_failed} failed`;
  return (
    <svg className="spark" viewBox={`0 0 ${width} 20`} preserveAspectRatio="none" role="img">
      <title>{label}</title>
      {buckets.map((b, i) => {
        const ok = (b.attempts_ok / max) * 20;
        const failed = (b.attempts_failed / max) * 20;
        return (
          <g key={b.start}>
            {ok > 0 && <rect x={i * 2} y={20 - ok} width={1.6} height={ok} className="ok" />}
            {failed > 0 && (
              <rect x={i * 2} y={20 - ok - failed} width={1.6} height={failed} className="bad" />
            )}
          </g>
        );
      })}
    </svg>
  );
}
