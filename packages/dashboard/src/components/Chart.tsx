import { useEffect, useRef } from "react";
import uPlot from "uplot";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
}

/**
 * A time-series line chart (uPlot), as wide as its container. The figure's caption and
 * `summary` say in words what the lines show, for screen readers.
 */
export function Chart(props: {
  title: string;
  summary: string;
  times: number[];
  series: ChartSeries[];
  unit?: string;
  /** A fixed y range (a percentage's 0–100), instead of fitting the values. */
  range?: [number, number];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { times, series, unit, range, height = 180 } = props;

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, ...(range ? { y: { range } } : {}) },
        axes: [{}, { size: 64, values: (_u, ticks) => ticks.map((t) => `${t}${unit ?? ""}`) }],
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false })),
        ],
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, unit, range, height]);

  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={props.summary} />
    </figure>
  );
}
