/**
 * Dashboard series from a real Prometheus: each dashboard's panels are fetched with /api/v1/query_range every
 * `refreshSeconds` (or `refreshMs` when given) and reported as one series.update per panel.
 */
import { z } from 'zod';
import type { Clock, TimerHandle } from '@node/clock';
import { effectiveStepSeconds, expandRangeVariables, type DashboardSpec } from '@shared/dashboard-spec';
import type { Panel, Series } from '@shared/dashboards';
import type { SourceEvent } from '../source';
import { requestJson, UpstreamError, type Transport } from './upstream';

const MatrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])).optional(),
      }),
    ),
  }),
});

export type SeriesData = Series['series'];

/** Renders a legend template such as "{{instance}} {{status}}" with a series' labels. */
export function renderLegend(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

/** The name a series is shown by when its target has no legend: Prometheus' own `name{a="b"}` form. */
export function defaultLegend(labels: Record<string, string>, expr: string): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k]}"`)
    .join(', ');
  if (!name && !inner) return expr;
  return `${name ?? ''}{${inner}}`;
}

/** A series' labels with the `__legend__` its target gives it (docs/dashboards.md). */
export function seriesLabels(
  target: { expr: string; legend?: string | null },
  labels: Record<string, string>,
): Record<string, string> {
  return {
    ...labels,
    __legend__: target.legend ? renderLegend(target.legend, labels) : defaultLegend(labels, target.expr),
  };
}

/** One panel's series.update for a dashboard, over [range.start, range.end] at range.stepSeconds. */
export function seriesUpdate(
  spec: DashboardSpec,
  panelId: string,
  series: SeriesData,
  range: { start: number; end: number; stepSeconds: number },
  fetchedAt: number,
): SourceEvent {
  return {
    kind: 'series.update',
    data: {
      dashboardId: spec.dashboard.id,
      panelId,
      series,
      rangeStart: range.start,
      rangeEnd: range.end,
      stepSeconds: range.stepSeconds,
      fetchedAt,
    },
  };
}

export async function queryRange(
  baseUrl: string,
  expr: string,
  range: { start: number; end: number; stepSeconds: number },
  timeoutMs: number,
  transport?: Transport,
): Promise<{ metric: Record<string, string>; points: [number, number][] }[]> {
  const q = new URLSearchParams({
    query: expr,
    start: String(range.start / 1000),
    end: String(range.end / 1000),
    step: String(range.stepSeconds),
  });
  const body = await requestJson({
    upstream: 'Prometheus',
    baseUrl,
    path: `api/v1/query_range?${q}`,
    schema: MatrixSchema,
    timeoutMs,
    transport,
  });
  return body.data.result.map((r) => ({
    metric: r.metric,
    // NaN and ±Inf cannot travel as JSON numbers; a gap in the line is the honest rendering
    points: (r.values ?? [])
      .map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number])
      .filter(([, v]) => Number.isFinite(v)),
  }));
}

/** Every target of a panel, each series labelled with `__legend__` (docs/dashboards.md). */
export async function fetchPanel(
  baseUrl: string,
  panel: Panel,
  range: { start: number; end: number; stepSeconds: number; rangeSeconds: number },
  timeoutMs: number,
  transport?: Transport,
): Promise<SeriesData> {
  const perTarget = await Promise.all(
    panel.targets.map(async (t) => {
      const expr = expandRangeVariables(t.expr, range.stepSeconds, range.rangeSeconds);
      const result = await queryRange(baseUrl, expr, range, timeoutMs, transport);
      return result.map((r) => ({ labels: seriesLabels(t, r.metric), points: r.points }));
    }),
  );
  return perTarget.flat();
}

export interface DashboardFeedOptions {
  prometheusUrl: string;
  /** headers, credentials and TLS for this Prometheus */
  transport?: Transport;
  specs: DashboardSpec[];
  clock: Clock;
  emit(events: SourceEvent[]): void;
  /** overrides every dashboard's own refresh interval */
  refreshMs?: number;
  timeoutMs: number;
  /** called after each dashboard fetch: null when every panel came back, else the first error */
  onResult(error: UpstreamError | null): void;
  onLatency?(ms: number): void;
}

export interface DashboardFeed {
  start(): void;
  stop(): void;
  /** fetches every dashboard now (also what each timer does) */
  refreshAll(): Promise<void>;
}

export function createDashboardFeed(o: DashboardFeedOptions): DashboardFeed {
  const timers = new Map<string, TimerHandle>();
  let started = false;
  let disposed = false;

  const fetchDashboard = async (spec: DashboardSpec) => {
    const step = effectiveStepSeconds(spec.query);
    // aligning to the step keeps successive fetches on the same sample grid, so lines do not shimmer
    const end = Math.floor(o.clock.now() / (step * 1000)) * step * 1000;
    const range = {
      start: end - spec.query.rangeSeconds * 1000,
      end,
      stepSeconds: step,
      rangeSeconds: spec.query.rangeSeconds,
    };
    const t0 = o.clock.now();
    let firstError: UpstreamError | null = null;
    const events: SourceEvent[] = [];
    await Promise.all(
      spec.dashboard.panels.map(async (panel) => {
        try {
          const series = await fetchPanel(o.prometheusUrl, panel, range, o.timeoutMs, o.transport);
          events.push(seriesUpdate(spec, panel.id, series, range, o.clock.now()));
        } catch (e) {
          firstError ??= e instanceof UpstreamError ? e : new UpstreamError('Prometheus', 'invalid', String(e));
        }
      }),
    );
    o.onLatency?.(o.clock.now() - t0);
    if (disposed) return;
    // panels in dashboard order, whichever answered first
    const order = new Map(spec.dashboard.panels.map((p, i) => [p.id, i]));
    events.sort((a, b) => order.get((a.data as Series).panelId)! - order.get((b.data as Series).panelId)!);
    if (events.length > 0) o.emit(events);
    o.onResult(firstError);
  };

  const loop = (spec: DashboardSpec) => {
    void fetchDashboard(spec).finally(() => {
      if (disposed) return;
      timers.set(
        spec.dashboard.id,
        o.clock.setTimeout(() => loop(spec), o.refreshMs ?? spec.query.refreshSeconds * 1000),
      );
    });
  };

  return {
    start() {
      if (started || disposed) return;
      started = true;
      for (const spec of o.specs) loop(spec);
    },
    stop() {
      disposed = true;
      for (const t of timers.values()) o.clock.clearTimeout(t);
      timers.clear();
    },
    refreshAll: async () => {
      await Promise.all(o.specs.map(fetchDashboard));
    },
  };
}
