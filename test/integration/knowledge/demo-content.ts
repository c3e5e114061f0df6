/**
 * Cached content for tests and benchmarks that need a populated data dir before the app starts: the demo
 * runbooks (imported as a local folder), a dashboard shaped like the handbook-000 one with series cached
 * some minutes ago, alerts that link to the runbooks, and a hostile runbook.
 */
import path from 'node:path';
import type { Panel } from '@shared/dashboards';
import type { KnowledgeTestbed } from './seed';

export const DEMO_RUNBOOKS = path.resolve(__dirname, '../../../resources/demo/runbooks');

export const HOSTILE_MARKDOWN = `# Hostile runbook

## Symptoms
<script>window.__pwned = 'script'; alert('script')</script>
<img src="x" onerror="window.__pwned = 'onerror'; alert('img')">
<svg onload="window.__pwned = 'svg'; alert('svg')"><circle r="4"/></svg>
<iframe src="javascript:alert('iframe')"></iframe>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<div onmouseover="alert('hover')" style="position:fixed;inset:0">hover anywhere</div>

## Diagnosis
- [Click for javascript](javascript:alert('link'))
- <a href="data:text/html,<script>alert('data')</script>">Click for data</a>
- <a href="https://example.com/" target="_top">A normal link</a>
- <form action="javascript:alert('form')"><button>Submit me</button></form>
`;

/** a timeseries point every `stepS` seconds over `hours`, ending at `end` */
function curve(end: number, hours: number, stepS: number, f: (i: number) => number): [number, number][] {
  const n = Math.floor((hours * 3600) / stepS);
  return Array.from({ length: n }, (_, i) => [end - (n - 1 - i) * stepS * 1000, f(i)]);
}

export function panels(count = 4): Panel[] {
  const base: Panel[] = [
    {
      id: 'pull-latency',
      title: 'Order pull latency p95',
      type: 'timeseries',
      unit: 'ms',
      targets: [
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(ef_ozon_orders_pull_latency_ms_bucket[5m])))',
          legend: 'p95',
        },
      ],
      thresholds: [{ value: 120000, color: 'red', label: 'p95 > 2 min' }],
    },
    {
      id: 'backlog',
      title: 'Task backlog',
      type: 'timeseries',
      unit: null,
      targets: [{ expr: 'ef_tasks_backlog{plugin="ef.channels.ozon"}', legend: 'backlog' }],
      thresholds: [
        { value: 4000, color: 'orange', label: 'self-check line' },
        { value: 5000, color: 'red', label: '> 5k → P2' },
      ],
    },
    {
      id: 'backlog-now',
      title: 'Backlog now',
      type: 'stat',
      unit: null,
      targets: [{ expr: 'ef_tasks_backlog{plugin="ef.channels.ozon"}', legend: null }],
      thresholds: [
        { value: 0, color: 'green', label: null },
        { value: 5000, color: 'red', label: null },
      ],
    },
    {
      id: 'risk',
      title: 'Risk level',
      type: 'gauge',
      unit: null,
      targets: [{ expr: 'paimon_risk_level', legend: null }],
      thresholds: [
        { value: 1, color: 'green', label: null },
        { value: 2, color: 'yellow', label: null },
        { value: 3, color: 'orange', label: null },
        { value: 4, color: 'red', label: null },
      ],
    },
  ];
  return Array.from({ length: count }, (_, i) => ({
    ...base[i % base.length],
    id: `${base[i % base.length].id}-${i}`,
    title: i < base.length ? base[i].title : `${base[i % base.length].title} #${i + 1}`,
  }));
}

/** A cached dashboard whose series were fetched `ageMs` ago, `hours` long at `stepS` resolution. */
export function seedDashboard(
  bed: KnowledgeTestbed,
  opts: { id?: string; ageMs: number; panelCount?: number; hours?: number; stepS?: number },
) {
  const id = opts.id ?? 'euraflow-ozon';
  const fetchedAt = bed.clock.now() - opts.ageMs;
  const ps = panels(opts.panelCount ?? 4);
  bed.apply('dashboard.upsert', {
    id,
    title: 'EuraFlow · Ozon channel',
    tags: ['ozon'],
    panels: ps,
    unsupported: [{ title: 'Worker logs', type: 'logs' }],
    updatedAt: fetchedAt,
  });
  const hours = opts.hours ?? 6;
  const stepS = opts.stepS ?? 30;
  for (const p of ps) {
    const f =
      p.type === 'gauge'
        ? (i: number) => 1 + ((i / 240) % 3)
        : p.id.startsWith('pull')
          ? (i: number) => 60_000 + 40_000 * Math.sin(i / 50)
          : (i: number) => 3000 + 2500 * Math.sin(i / 80) + i / 10;
    bed.apply('series.update', {
      dashboardId: id,
      panelId: p.id,
      series: [{ labels: { __legend__: p.targets[0].legend ?? p.title }, points: curve(fetchedAt, hours, stepS, f) }],
      rangeStart: fetchedAt - hours * 3_600_000,
      rangeEnd: fetchedAt,
      stepSeconds: stepS,
      fetchedAt,
    });
  }
  return { id, fetchedAt, panels: ps };
}
