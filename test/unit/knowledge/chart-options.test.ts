/**
 * How panels are drawn: thresholds, gauge bands, stat colour, legends. The module is renderer code; it is
 * loaded by path because this file is type-checked with the Node project.
 */
import { describe, expect, it } from 'vitest';
import type { Panel } from '@shared/dashboards';

const MODULE = '../../../src/renderer/src/features/dashboards/chartOptions';
const m = (await import(/* @vite-ignore */ MODULE)) as {
  thresholdColor(p: Panel, v: number | null): string | null;
  gaugeOption(
    p: Panel,
    v: number | null,
  ): { series: { min: number; max: number; axisLine: { lineStyle: { color: [number, string][] } } }[] };
  timeseriesOption(
    p: Panel,
    s: { name: string; points: [number, number][] }[],
    w: { from: number | null; to: number },
    width?: number,
  ): {
    series: { markLine?: { data: { yAxis: number; lineStyle: { color: string } }[] } }[];
    yAxis: { max: (v: { max: number }) => number };
    grid: { top: number };
    legend?: { type: string; textStyle: { width: number; overflow: string }; tooltip: { show: boolean } };
  };
  legendLayout(names: string[], width: number): { rows: number; height: number };
  textWidth(s: string): number;
  seriesName(labels: Record<string, string>, p: Panel, i: number): string;
  formatValue(v: number | null, unit: string | null): string;
};

const risk: Panel = {
  id: 'risk',
  title: 'Risk level',
  type: 'gauge',
  unit: null,
  targets: [{ expr: 'paimon_risk_level', legend: null }],
  thresholds: [
    { value: 3, color: 'orange', label: null },
    { value: 1, color: 'green', label: null },
    { value: 4, color: 'red', label: null },
    { value: 2, color: 'yellow', label: null },
  ],
};
const backlog: Panel = {
  ...risk,
  id: 'b',
  type: 'timeseries',
  thresholds: [
    { value: 5000, color: 'red', label: '> 5k' },
    { value: 4000, color: '#ff8800', label: null },
  ],
};

describe('panel drawing', () => {
  it('colours a value by the highest threshold it reaches (Grafana semantics)', () => {
    expect(m.thresholdColor(risk, 0.5)).toBeNull();
    expect(m.thresholdColor(risk, 2)).toBe('#d4a106');
    expect(m.thresholdColor(risk, 3.7)).toBe('#d9480f');
    expect(m.thresholdColor(risk, 9)).toBe('#c53030');
    expect(m.thresholdColor(risk, null)).toBeNull();
  });

  it('draws gauge bands from threshold to threshold, grey below the first', () => {
    const s = m.gaugeOption(risk, 2.5).series[0];
    expect([s.min, s.max]).toEqual([0, 4]);
    expect(s.axisLine.lineStyle.color).toEqual([
      [0.25, '#8a94a3'],
      [0.5, '#1f8f4e'],
      [0.75, '#d4a106'],
      [1, '#d9480f'],
      [1, '#c53030'],
    ]);
    // a value above the last threshold stretches the scale
    expect(m.gaugeOption(risk, 6).series[0].max).toBe(6);
  });

  it('draws every threshold as a line on a timeseries and keeps it in view', () => {
    const o = m.timeseriesOption(
      backlog,
      [
        {
          name: 'backlog',
          points: [
            [0, 100],
            [1, 200],
          ],
        },
      ],
      { from: 0, to: 1 },
    );
    expect(o.series[0].markLine!.data.map((d) => [d.yAxis, d.lineStyle.color])).toEqual([
      [5000, '#c53030'],
      [4000, '#ff8800'],
    ]);
    expect(o.yAxis.max({ max: 200 })).toBe(5250);
  });

  // Issue #18: a long legend paged ('scroll': "1/3 ▸") instead of showing every series
  it('long legends wrap into rows, every series shown, and the plot starts below them', () => {
    const pts: [number, number][] = [[0, 1]];
    const names = (n: number, len: number) => Array.from({ length: n }, (_, i) => `shop_${i}_${'x'.repeat(len)}`);
    const series = (ns: string[]) => ns.map((name) => ({ name, points: pts }));
    // one series: no legend
    expect(m.timeseriesOption(backlog, series(['a']), { from: 0, to: 1 }, 600).legend).toBeUndefined();
    // a few short names fit one row
    const short = m.timeseriesOption(backlog, series(['p50', 'p95', 'p99']), { from: 0, to: 1 }, 600);
    expect(short.legend).toMatchObject({ type: 'plain', textStyle: { overflow: 'truncate' }, tooltip: { show: true } });
    expect(m.legendLayout(['p50', 'p95', 'p99'], 600).rows).toBe(1);
    // twelve long names on a narrow panel: several rows, never paged, and the grid moves down with them
    const many = names(12, 20);
    const narrow = m.legendLayout(many, 400);
    expect(narrow.rows).toBeGreaterThanOrEqual(6);
    const o = m.timeseriesOption(backlog, series(many), { from: 0, to: 1 }, 400);
    expect(o.legend?.type).not.toBe('scroll');
    expect(o.grid.top).toBeGreaterThanOrEqual(narrow.height);
    // wider panel, fewer rows; each row holds what its width allows
    expect(m.legendLayout(many, 1200).rows).toBeLessThan(narrow.rows);
    // a 300-character name takes at most the truncation width (the tooltip has it whole)
    expect(m.legendLayout(['y'.repeat(300), 'z'], 2000).rows).toBe(1);
    // Chinese names are measured wider than Latin ones
    expect(m.textWidth('订单拉取失败')).toBeGreaterThan(m.textWidth('abcdef'));
  });

  it('names series by the gateway legend, else by labels, else by the target', () => {
    expect(m.seriesName({ __legend__: 'L1', a: 'b' }, risk, 0)).toBe('L1');
    expect(m.seriesName({ __name__: 'up', job: 'api' }, risk, 0)).toBe('up{job="api"}');
    expect(m.seriesName({}, risk, 0)).toBe('paimon_risk_level');
  });

  it('formats values compactly with units', () => {
    expect(m.formatValue(123456, 'ms')).toBe('2.06 min');
    expect(m.formatValue(192.3, 'ms')).toBe('192 ms');
    expect(m.formatValue(1500, 'ms')).toBe('1.5 s');
    expect(m.formatValue(45, 's')).toBe('45 s');
    expect(m.formatValue(5400, 's')).toBe('1.5 h');
    expect(m.formatValue(123456, 'req/s')).toBe('123.5k req/s');
    expect(m.formatValue(0.0812, 'percentunit')).toBe('8.12 %');
    expect(m.formatValue(null, null)).toBe('–');
  });
});
