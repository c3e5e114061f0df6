/** One dashboard panel drawn with echarts from cached series, with its values also given as text. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { DashboardView } from '@shared/contract/knowledge';
import type { Panel as PanelSpec, Series } from '@shared/dashboards';
import { formatAge } from '@renderer/format';
import { themed } from '@renderer/design/chart';
import { useTheme } from '@renderer/design/theme';
import { useApp } from '@renderer/stores/app';
import {
  formatValue,
  gaugeOption,
  lastValue,
  legendLayout,
  namedSeries,
  sparklineOption,
  thresholdColor,
  timeseriesOption,
} from './chartOptions';

echarts.use([
  LineChart,
  GaugeChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** .chart's height in dashboards.css, and one legend row (chartOptions.ts) */
const CHART_HEIGHT = 220;
const LEGEND_ROW = 24;

/** Mounts an echarts instance on a div; marks the figure data-rendered once echarts finished drawing. */
function Chart({
  option,
  className,
  height,
  onWidth,
}: {
  option: Record<string, unknown>;
  className: string;
  /** px, where the legend's rows make the chart taller */
  height?: number;
  /** told the chart's width when it changes (the legend wraps to it) */
  onWidth?: (px: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const theme = useTheme();
  const widthTo = useRef(onWidth);
  widthTo.current = onWidth;

  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => el.closest('figure')?.setAttribute('data-rendered', 'true'));
    const ro = new ResizeObserver(() => {
      c.resize();
      widthTo.current?.(el.clientWidth);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    ref.current?.closest('figure')?.setAttribute('data-rendered', 'false');
    chart.current?.setOption(themed(theme.colors, option), { notMerge: true });
  }, [option, theme.colors]);

  useEffect(() => chart.current?.resize(), [height]);

  return <div ref={ref} className={className} style={height ? { height } : undefined} aria-hidden="true" />;
}

export function Panel({
  panel,
  cached,
  window,
}: {
  panel: PanelSpec;
  cached: Series | undefined;
  window: DashboardView['window'];
}) {
  const { t } = useTranslation('dashboards');
  const now = useApp((s) => s.now);
  const series = useMemo(() => namedSeries(panel, cached), [panel, cached]);
  const last = lastValue(series);
  const color = thresholdColor(panel, last);
  const hasData = series.some((s) => s.points.length);
  // the chart's width, in 8 px steps (the legend wraps to it; a pixel's resize does not redraw)
  const [width, setWidth] = useState(0);
  const onWidth = useCallback((px: number) => setWidth(Math.floor(px / 8) * 8), []);
  const legend = panel.type === 'timeseries' && width ? legendLayout(series.map((s) => s.name), width) : null;
  const option = useMemo(
    () =>
      panel.type === 'timeseries'
        ? timeseriesOption(panel, series, window, width || 600)
        : panel.type === 'gauge'
          ? gaugeOption(panel, last)
          : sparklineOption(series, color),
    [panel, series, window, last, color, width],
  );
  const titleId = `panel-${panel.id}`;

  return (
    <figure className={`panel panel-${panel.type}`} aria-labelledby={titleId} data-panel-id={panel.id}>
      <figcaption>
        <span id={titleId} className="panel-title" translate="no">
          {panel.title}
        </span>
        {cached && (
          <span className="muted panel-age">{t('panelAge', { age: formatAge(t, cached.fetchedAt, now) })}</span>
        )}
      </figcaption>
      {!hasData && <p className="empty">{t('noData')}</p>}
      {panel.type === 'stat' && hasData && (
        <p className="stat-value" style={color ? { color } : undefined}>
          {formatValue(last, panel.unit)}
        </p>
      )}
      <Chart
        option={option}
        className={`chart chart-${panel.type}`}
        onWidth={onWidth}
        // the plot keeps its height under a legend of several rows
        height={legend && legend.rows > 1 ? CHART_HEIGHT + legend.height - LEGEND_ROW : undefined}
      />
      <ul className="sr-only">
        {series.map((s) => (
          <li key={s.name}>
            {t('lastOf', { name: s.name, value: formatValue(s.points.at(-1)?.[1] ?? null, panel.unit) })}
          </li>
        ))}
        {panel.thresholds.map((th) => (
          <li key={`${th.value}-${th.color}`}>
            {t('threshold', { value: formatValue(th.value, panel.unit) })}
            {th.label ? ` — ${th.label}` : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
