import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Alert } from '@shared/alerts';
import { vigil } from '@renderer/api';
import { useLoad } from '@renderer/data/load';
import { themed } from '@renderer/design/chart';
import { useTheme } from '@renderer/design/theme';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { formatValue } from '../dashboards/chartOptions';
import { findRelatedPanel, seriesForAlert } from './related';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

/** A small chart of the metric behind the alert, from the cached dashboards; nothing when no panel matches. */
export function RelatedMetric({ alert }: { alert: Alert }) {
  const { t } = useTranslation('alerts');
  const now = useApp((s) => s.now);
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);
  const { data: found } = useLoad(async () => {
    const rel = findRelatedPanel(alert, await vigil().dashboardsList());
    if (!rel) return null;
    const all = await vigil().dashboardSeries(rel.dashboard.id);
    return { rel, series: all.find((s) => s.panelId === rel.panel.id) };
  }, `${alert.fingerprint}:${alert.updatedAt}`);

  const title = found?.rel.panel.title ?? '';
  useEffect(() => {
    if (!found || !box.current) return;
    const chart = echarts.init(box.current, undefined, { renderer: 'canvas' });
    const lines = seriesForAlert(found.series, alert.labels);
    const unit = found.rel.panel.unit ?? null;
    chart.setOption(
      themed(theme.colors, {
        aria: { enabled: true },
        animation: false,
        grid: { left: 56, right: 12, top: lines.length > 1 ? 30 : 10, bottom: 24 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => formatValue(typeof v === 'number' ? v : null, unit) },
        legend: lines.length > 1 ? { top: 0, type: 'scroll', textStyle: { width: 140, overflow: 'truncate' }, tooltip: { show: true } } : undefined,
        // a narrow pane: few time labels, and none drawn over another
        xAxis: { type: 'time', splitNumber: 3, axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', scale: true, splitNumber: 3, axisLabel: { formatter: (v: number) => formatValue(v, unit) } },
        series: lines.map((l) => ({
          type: 'line',
          showSymbol: false,
          name: Object.entries(l.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
          data: l.points,
        })),
      }),
    );
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(box.current);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [found, alert.labels, theme.colors]);

  if (!found) return null;
  return (
    <section aria-label={t('detail.metric')} className="detail-section">
      <h3 className="section-title">{t('detail.metric')}</h3>
      <p className="meta">{t('detail.metricAsOf', { title, age: formatAge(t, found.series?.fetchedAt ?? null, now) })}</p>
      <div ref={box} className="alert-chart" role="img" aria-label={t('detail.metricChart', { title })} />
    </section>
  );
}
