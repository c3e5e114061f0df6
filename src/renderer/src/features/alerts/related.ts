/**
 * Which dashboard panel shows the metric behind an alert. The metric names come from the alert's
 * Prometheus expression (the generator URL's `g0.expr`, as Prometheus links it) and from an optional
 * `metric` annotation or `__name__` label; a panel matches when one of its target expressions uses one of
 * those names. Among its series, those agreeing with the alert's labels are preferred.
 */
import type { Alert } from '@shared/alerts';
import type { Dashboard, Panel, Series } from '@shared/dashboards';

// PromQL words that look like metric names but are functions, operators or keywords.
const PROMQL_WORDS = new Set(
  'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right bool and or unless offset rate irate increase delta idelta deriv predict_linear histogram_quantile abs ceil floor round clamp clamp_min clamp_max exp ln log2 log10 sqrt time timestamp vector scalar sort sort_desc label_replace label_join absent absent_over_time changes resets avg_over_time min_over_time max_over_time sum_over_time count_over_time quantile_over_time stddev_over_time last_over_time present_over_time inf nan'.split(
    ' ',
  ),
);

export function metricNames(expr: string): string[] {
  const out = new Set<string>();
  // strip strings, label matchers, range selectors and grouping clauses: their words are not metrics
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const after = bare.slice(m.index! + name.length).trimStart();
    if (PROMQL_WORDS.has(name) || after.startsWith('(')) continue;
    if (/^\d/.test(name)) continue;
    out.add(name);
  }
  return [...out];
}

export function alertMetricNames(a: Pick<Alert, 'generatorUrl' | 'annotations' | 'labels'>): string[] {
  const names = new Set<string>();
  if (a.generatorUrl) {
    try {
      const expr = new URL(a.generatorUrl).searchParams.get('g0.expr');
      if (expr) for (const n of metricNames(expr)) names.add(n);
    } catch {
      /* not a URL: no expression to read */
    }
  }
  if (a.annotations.metric) for (const n of metricNames(a.annotations.metric)) names.add(n);
  if (a.labels.__name__) names.add(a.labels.__name__);
  return [...names];
}

export interface RelatedPanel {
  dashboard: Dashboard;
  panel: Panel;
  metric: string;
}

export function findRelatedPanel(a: Pick<Alert, 'generatorUrl' | 'annotations' | 'labels'>, dashboards: readonly Dashboard[]): RelatedPanel | null {
  const wanted = alertMetricNames(a);
  if (!wanted.length) return null;
  for (const metric of wanted)
    for (const dashboard of dashboards)
      for (const panel of dashboard.panels)
        if (panel.targets.some((t) => metricNames(t.expr).includes(metric))) return { dashboard, panel, metric };
  return null;
}

/** The panel's series, those whose labels agree with the alert's first (at most `max`). */
export function seriesForAlert(s: Series | undefined, labels: Readonly<Record<string, string>>, max = 5): Series['series'] {
  if (!s) return [];
  const agree = (l: Record<string, string>) => Object.entries(l).every(([k, v]) => !(k in labels) || labels[k] === v);
  const matching = s.series.filter((x) => agree(x.labels));
  return (matching.length ? matching : s.series).slice(0, max);
}
