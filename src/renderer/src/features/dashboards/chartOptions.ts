/**
 * echarts options for the three panel types, from a panel spec and its cached series. Pure, so the
 * drawing rules (thresholds, gauge bands, stat colour) are testable without a canvas.
 */
import type { Panel, Series } from '@shared/dashboards';

type Points = [number, number][];
export interface NamedSeries {
  name: string;
  points: Points;
}

const NAMED_COLORS: Record<string, string> = {
  green: '#1f8f4e',
  yellow: '#d4a106',
  orange: '#d9480f',
  red: '#c53030',
  blue: '#2f6fde',
  purple: '#7e4fd1',
};
export const colorOf = (c: string): string => NAMED_COLORS[c.toLowerCase()] ?? c;

/** the gateway labels each series with `__legend__`; otherwise Prometheus' name{labels} form */
export function seriesName(labels: Record<string, string>, panel: Panel, i: number): string {
  if (labels.__legend__) return labels.__legend__;
  const { __name__: metric, ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  if (metric || inner) return `${metric ?? ''}${inner ? `{${inner}}` : ''}`;
  return panel.targets[i]?.legend ?? panel.targets[i]?.expr ?? panel.title;
}

export function namedSeries(panel: Panel, cached: Series | undefined): NamedSeries[] {
  return (cached?.series ?? []).map((s, i) => ({ name: seriesName(s.labels, panel, i), points: s.points }));
}

export function lastValue(series: NamedSeries[]): number | null {
  for (const s of series) if (s.points.length) return s.points[s.points.length - 1][1];
  return null;
}

/** Grafana semantics: the colour of the highest threshold the value reaches */
export function thresholdColor(panel: Panel, value: number | null): string | null {
  if (value === null) return null;
  let color: string | null = null;
  for (const t of [...panel.thresholds].sort((a, b) => a.value - b.value))
    if (value >= t.value) color = colorOf(t.color);
  return color;
}

/** time units climb to the unit a person reads: 123456 ms is "2.06 min", not "123.5k ms" */
const TIME_STEPS: Record<string, [number, string][]> = {
  ms: [
    [1, 'ms'],
    [1000, 's'],
    [60_000, 'min'],
    [3_600_000, 'h'],
  ],
  s: [
    [1, 's'],
    [60, 'min'],
    [3600, 'h'],
    [86_400, 'd'],
  ],
};

function compact(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 1) return `${+v.toFixed(2)}`;
  return `${+v.toPrecision(3)}`;
}

export function formatValue(v: number | null, unit: string | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (!unit) return compact(v);
  if (unit === 'percent' || unit === '%') return `${compact(v)} %`;
  if (unit === 'percentunit') return `${+(v * 100).toFixed(2)} %`;
  const steps = TIME_STEPS[unit];
  if (steps) {
    let [div, name] = steps[0];
    for (const [d, n] of steps) if (Math.abs(v) >= d) [div, name] = [d, n];
    return `${+(v / div).toPrecision(3)} ${name}`;
  }
  return `${compact(v)} ${unit}`;
}

/** the legend's geometry: echarts' defaults at a 12 px font */
const LEGEND = { font: 12, row: 20, icon: 18, iconGap: 5, gap: 12, side: 8, maxText: 220 } as const;

/** about how wide `s` is drawn at 12 px: CJK full width, other characters a little over half */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[ᄀ-ᅟ⺀-꓏가-힣豈-﫿︰-﹏＀-｠￠-￦]/.test(ch) ? LEGEND.font : LEGEND.font * 0.6;
  return Math.ceil(w);
}

/**
 * Where the legend's items fall when they wrap into rows across a chart `width` px wide: every series is
 * shown (no paging), a name longer than maxText ends in an ellipsis with the full name in the legend's
 * tooltip. Answers the rows and the height they take, so the plot starts below them.
 */
export function legendLayout(names: readonly string[], width: number): { rows: number; height: number } {
  if (names.length < 2) return { rows: 0, height: 0 };
  const avail = Math.max(120, width - 2 * LEGEND.side);
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const item = LEGEND.icon + LEGEND.iconGap + Math.min(textWidth(n), LEGEND.maxText);
    if (x > 0 && x + item > avail) {
      rows += 1;
      x = 0;
    }
    x += item + LEGEND.gap;
  }
  return { rows, height: rows * LEGEND.row + 4 };
}

/** `width`: the chart's width in px (the legend wraps to it; 0 before it is measured) */
export function timeseriesOption(panel: Panel, series: NamedSeries[], window: { from: number | null; to: number }, width = 600) {
  const lines = panel.thresholds.filter((t) => Number.isFinite(t.value) && t.value > 0);
  const legend = legendLayout(
    series.map((s) => s.name),
    width,
  );
  return {
    animation: false,
    grid: { left: 64, right: 16, top: legend.height + 12, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => formatValue(typeof v === 'number' ? v : null, panel.unit),
    },
    // every series in view: the legend wraps into rows (the plot starts below them); a long name ends in an
    // ellipsis, with the full name in the legend's tooltip
    legend:
      series.length > 1
        ? {
            type: 'plain',
            top: 0,
            left: LEGEND.side,
            right: LEGEND.side,
            itemGap: LEGEND.gap,
            itemWidth: LEGEND.icon,
            itemHeight: 10,
            textStyle: { fontSize: LEGEND.font, width: LEGEND.maxText, overflow: 'truncate' },
            tooltip: { show: true },
          }
        : undefined,
    // narrow panels: let echarts drop time labels that would overlap rather than draw them on top of each other
    xAxis: { type: 'time', min: window.from ?? undefined, max: window.to, axisLabel: { hideOverlap: true }, splitNumber: 4 },
    yAxis: {
      type: 'value',
      scale: true,
      // keep threshold lines in view even when the data stays well below them
      max: (v: { max: number }) => Math.max(v.max, ...lines.map((t) => t.value * 1.05)),
      // the top of the axis is the data's (or a threshold's) own maximum, not a round step: its label
      // ("3.16 min") would sit on top of the last round one ("3 min")
      axisLabel: { formatter: (v: number) => formatValue(v, panel.unit), showMaxLabel: false },
    },
    series: series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: s.points,
      showSymbol: false,
      sampling: 'lttb',
      lineStyle: { width: 1.5 },
      markLine:
        i === 0 && lines.length
          ? {
              silent: true,
              symbol: 'none',
              label: {
                formatter: (p: { value: number; name: string }) => p.name || formatValue(p.value, panel.unit),
                position: 'insideEndTop',
                // in the line's colour, without the halo echarts gives labels inside the plot (a white
                // border that smears the text on a dark surface)
                color: 'inherit',
                textBorderWidth: 0,
                textBorderColor: 'transparent',
              },
              data: lines.map((t) => ({
                yAxis: t.value,
                name: t.label ?? '',
                lineStyle: { color: colorOf(t.color), type: 'dashed' },
              })),
            }
          : undefined,
    })),
  };
}

/** the gauge's scale: up to the highest threshold (or the value, if above), with its colour bands */
export function gaugeOption(panel: Panel, value: number | null) {
  const steps = [...panel.thresholds].sort((a, b) => a.value - b.value);
  const top = Math.max(steps.length ? steps[steps.length - 1].value : 0, value ?? 0) || 1;
  const min = Math.min(0, value ?? 0, steps[0]?.value ?? 0);
  // band i runs from threshold i to threshold i+1, coloured as threshold i (Grafana semantics)
  const bands: [number, string][] = steps.length
    ? steps.map((s, i) => [
        Math.min(1, Math.max(0, ((steps[i + 1]?.value ?? top) - min) / (top - min))),
        colorOf(s.color),
      ])
    : [[1, '#2f6fde']];
  if (steps.length && steps[0].value > min) bands.unshift([(steps[0].value - min) / (top - min), '#8a94a3']);
  return {
    animation: false,
    series: [
      {
        type: 'gauge',
        min,
        max: top,
        progress: { show: false },
        axisLine: { lineStyle: { width: 14, color: bands } },
        pointer: { width: 5 },
        detail: {
          valueAnimation: false,
          fontSize: 22,
          formatter: () => formatValue(value, panel.unit),
          offsetCenter: [0, '60%'],
        },
        data: value === null ? [] : [{ value, name: '' }],
      },
    ],
  };
}

export function sparklineOption(series: NamedSeries[], color: string | null) {
  return {
    animation: false,
    grid: { left: 0, right: 0, top: 4, bottom: 0 },
    xAxis: { type: 'time', show: false },
    yAxis: { type: 'value', show: false, scale: true },
    series: series
      .slice(0, 1)
      .map((s) => ({
        type: 'line',
        data: s.points,
        showSymbol: false,
        sampling: 'lttb',
        areaStyle: { opacity: 0.15 },
        lineStyle: { width: 1, color: color ?? undefined },
        itemStyle: { color: color ?? undefined },
      })),
  };
}
