import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Alert } from '@shared/alerts';
import type { Series } from '@shared/dashboards';
import { vigil } from '@renderer/api';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { findRelatedPanel, seriesForAlert, type RelatedPanel } from './related';

echarts.use([LineChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

/** A small chart of the metric behind the alert, from the cached dashboards; nothing when no panel matches. */
export function RelatedMetric({ alert }: { alert: Alert }) {
  const { t } = useTranslation('alerts');
  const now = useApp((s) => s.now);
  const [found, setFound] = useState<{ rel: RelatedPanel; series: Series | undefined } | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let alive = true;
    setFound(null);
    void (async () => {
      const rel = findRelatedPanel(alert, await vigil().dashboardsList());
      if (!rel || !alive) return;
      const all = await vigil().dashboardSeries(rel.dashboard.id);
      if (alive) setFound({ rel, series: all.find((s) => s.panelId === rel.panel.id) });
    })().catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [alert]);

  const title = found?.rel.panel.title ?? '';
  useEffect(() => {
    if (!found || !box.current) return;
    const chart = echarts.init(box.current, undefined, { renderer: 'canvas' });
    const lines = seriesForAlert(found.series, alert.labels);
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 44, right: 8, top: 8, bottom: 22 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: found.rel.panel.unit ?? '' },
      series: lines.map((l) => ({
        type: 'line',
        showSymbol: false,
        name: Object.entries(l.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        data: l.points,
      })),
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(box.current);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [found, alert.labels]);

  if (!found) return null;
  return (
    <section aria-label={t('detail.metric')}>
      <h3>{t('detail.metric')}</h3>
      <p className="muted">{t('detail.metricAsOf', { title, age: formatAge(t, found.series?.fetchedAt ?? null, now) })}</p>
      <div ref={box} className="alert-chart" role="img" aria-label={t('detail.metricChart', { title })} />
    </section>
  );
}
