/**
 * The metric auto-check: the last value of a metric read from the dashboard panels Vigil has cached,
 * compared with a limit (a number, or another metric times a ratio). No panel, no series, no limit
 * reading or data older than the check allows: "unknown", never "pass".
 */
import { compare, type AutoCheck, type AutoReason, type AutoResult, type Comparator } from '@shared/checklists';
import type { Panel } from '@shared/dashboards';
import { parseJson } from '@shared/json';
import type { DB } from '@node/sqlite';

export const MIN = 60_000;

export function autoResult(
  checkedAt: number,
  outcome: AutoResult['outcome'],
  reason: AutoReason,
  value: string | null,
  limit: string | null,
  dataAt: number | null,
): AutoResult {
  return { outcome, reason, value, limit, dataAt, checkedAt };
}

/** Whether a PromQL expression mentions `metric` as a whole name. */
export const mentions = (expr: string, metric: string) =>
  new RegExp(`(^|[^A-Za-z0-9_:])${metric.replace(/[:]/g, '\\:')}([^A-Za-z0-9_:]|$)`).test(expr);

/** A reading as shown: integers as they are, else three significant decimals below 10, one above. */
export const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 3 : 1).replace(/\.?0+$/, ''));

export interface Reading {
  value: number;
  at: number;
}
type Series = { labels: Record<string, string>; points: [number, number][] };

/** The last finite value of every series that answers `metric` (and carries `labels`), each no later than the fetch. */
export function lastValues(series: Series[], metric: string, labels: Record<string, string> | undefined, onlyNamed: boolean, fetchedAt: number): Reading[] {
  const readings: Reading[] = [];
  for (const sr of series) {
    if (onlyNamed && sr.labels.__name__ !== metric) continue;
    if (labels && Object.entries(labels).some(([k, v]) => sr.labels[k] !== v)) continue;
    for (let i = sr.points.length - 1; i >= 0; i--) {
      const [at, v] = sr.points[i];
      if (Number.isFinite(v)) {
        readings.push({ value: v, at: Math.min(at, fetchedAt) });
        break;
      }
    }
  }
  return readings;
}

export function createMetricCheck(deps: { db: DB; now(): number }) {
  const s = {
    panels: deps.db.prepare('SELECT dashboard_id, id, spec FROM panels'),
    snapshot: deps.db.prepare('SELECT series, fetched_at FROM series_snapshots WHERE dashboard_id = ? AND panel_id = ?'),
  };
  /**
   * The last value of every series that answers `metric`, from the freshest cached panel querying it.
   * A panel with several targets mixes their series, so there only series named after the metric count.
   */
  function read(metric: string, labels: Record<string, string> | undefined): { readings: Reading[]; found: boolean } {
    let best: { readings: Reading[]; fetchedAt: number } | null = null;
    let found = false;
    for (const p of s.panels.all() as { dashboard_id: string; id: string; spec: string }[]) {
      const targets = parseJson<Panel>(p.spec).value?.targets ?? [];
      if (!targets.some((t) => mentions(t.expr, metric))) continue;
      found = true;
      const snap = s.snapshot.get(p.dashboard_id, p.id) as { series: string; fetched_at: number } | undefined;
      const series = snap ? (parseJson<Series[]>(snap.series).value ?? null) : null;
      if (!snap || !series) continue;
      const readings = lastValues(series, metric, labels, targets.length > 1, snap.fetched_at);
      if (readings.length && (!best || snap.fetched_at > best.fetchedAt)) best = { readings, fetchedAt: snap.fetched_at };
    }
    return { readings: best?.readings ?? [], found };
  }

  return function metric(c: Extract<AutoCheck, { type: 'metric' }>): AutoResult {
    const result = (outcome: AutoResult['outcome'], reason: AutoReason, value: string | null, limit: string | null, dataAt: number | null) =>
      autoResult(deps.now(), outcome, reason, value, limit, dataAt);
    const { readings, found } = read(c.metric, c.labels);
    if (!found) return result('unknown', 'no_panel', null, null, null);
    if (!readings.length) return result('unknown', 'no_series', null, null, null);
    // The worst series decides: the highest value when it must stay below the limit, the lowest otherwise.
    const below = c.op === '<' || c.op === '<=';
    const worst = readings.reduce((a, b) => (below ? (b.value > a.value ? b : a) : b.value < a.value ? b : a));
    const dataAt = Math.min(...readings.map((r) => r.at));

    let limitBase: number;
    let limitAt = Infinity;
    if (typeof c.limit === 'number') limitBase = c.limit;
    else {
      const l = read(c.limit.metric, c.labels);
      if (!l.readings.length) return result('unknown', 'no_limit', fmt(worst.value), null, dataAt);
      limitBase = Math.max(...l.readings.map((r) => r.value));
      limitAt = Math.min(...l.readings.map((r) => r.at));
    }
    const limit = limitBase * c.ratio;
    const limitText = `${c.op} ${fmt(limit)}`;
    const oldest = Math.min(dataAt, limitAt);
    if (deps.now() - oldest > c.maxAgeMinutes * MIN) return result('unknown', 'stale', fmt(worst.value), limitText, oldest);
    const ok = compare(worst.value, c.op as Comparator, limit);
    return result(ok ? 'pass' : 'fail', ok ? 'metric_ok' : 'metric_breach', fmt(worst.value), limitText, oldest);
  };
}
