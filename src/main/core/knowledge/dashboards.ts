/**
 * Cached dashboards: stored from the platform's dashboard.upsert / series.update events, read back for a
 * time-range preset. The window ends at the clock's now, not at the newest cached point: offline, a "last
 * hour" view then shows honestly where the cache stops, and `coverage` tells the UI how much it holds.
 */
import type { DashboardView, TimeRangePreset } from '@shared/contract/knowledge';
import { TIME_RANGES } from '@shared/contract/knowledge';
import type { Dashboard, Panel, Series } from '@shared/dashboards';
import { parseJson } from '@shared/json';
import { eventData } from '@shared/protocol';
import type { DB } from '@node/sqlite';
import type { CoreContext, EventApplier } from '../context';

type Row = Record<string, unknown>;

/** The cached dashboards and series as stored (dashboardsList, dashboardSeries; dashboardView cuts them). */
export function createDashboardReader(db: DB) {
  const s = {
    dashboards: db.prepare('SELECT * FROM dashboards ORDER BY title'),
    panels: db.prepare('SELECT spec FROM panels WHERE dashboard_id = ? ORDER BY position'),
    series: db.prepare('SELECT * FROM series_snapshots WHERE dashboard_id = ?'),
  };
  return {
    list: (): Dashboard[] =>
      (s.dashboards.all() as Row[]).map((d) => ({
        id: d.id as string,
        title: d.title as string,
        tags: parseJson<string[]>(d.tags).value ?? [],
        unsupported: parseJson<Dashboard['unsupported']>(d.unsupported).value ?? [],
        updatedAt: d.updated_at as number,
        fetchedAt: d.fetched_at as number,
        panels: (s.panels.all(d.id) as Row[]).flatMap((p) => parseJson<Panel>(p.spec).value ?? []),
      })),
    series: (id: string): Series[] =>
      (s.series.all(id) as Row[]).map((r) => ({
        dashboardId: r.dashboard_id as string,
        panelId: r.panel_id as string,
        series: parseJson<Series['series']>(r.series).value ?? [],
        rangeStart: r.range_start as number,
        rangeEnd: r.range_end as number,
        stepSeconds: r.step_seconds as number,
        fetchedAt: r.fetched_at as number,
      })),
  };
}
export type DashboardReader = ReturnType<typeof createDashboardReader>;

export function createDashboardAppliers(ctx: CoreContext): EventApplier[] {
  const db = ctx.db;
  const s = {
    upsertDashboard: db.prepare(`INSERT INTO dashboards (id, title, tags, unsupported, updated_at, fetched_at)
      VALUES (@id, @title, @tags, @unsupported, @updatedAt, @fetchedAt)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, tags = excluded.tags, unsupported = excluded.unsupported,
        updated_at = excluded.updated_at, fetched_at = excluded.fetched_at`),
    deletePanelsNotIn: db.prepare(
      `DELETE FROM panels WHERE dashboard_id = ? AND id NOT IN (SELECT value FROM json_each(?))`,
    ),
    upsertPanel: db.prepare(`INSERT INTO panels (dashboard_id, id, position, spec) VALUES (?, ?, ?, ?)
      ON CONFLICT(dashboard_id, id) DO UPDATE SET position = excluded.position, spec = excluded.spec`),
    removeDashboard: db.prepare('DELETE FROM dashboards WHERE id = ?'),
    // panels and their series go with their dashboard (ON DELETE CASCADE)
    removeAll: db.prepare('DELETE FROM dashboards'),
    panelExists: db.prepare('SELECT 1 FROM panels WHERE dashboard_id = ? AND id = ?'),
    upsertSeries:
      db.prepare(`INSERT INTO series_snapshots (dashboard_id, panel_id, range_start, range_end, step_seconds, series, fetched_at)
      VALUES (@dashboardId, @panelId, @rangeStart, @rangeEnd, @stepSeconds, @series, @fetchedAt)
      ON CONFLICT(dashboard_id, panel_id) DO UPDATE SET range_start = excluded.range_start, range_end = excluded.range_end,
        step_seconds = excluded.step_seconds, series = excluded.series, fetched_at = excluded.fetched_at`),
  };
  return [
    {
      kind: 'dashboard.upsert',
      apply(data) {
        const d = eventData['dashboard.upsert'].parse(data);
        s.upsertDashboard.run({
          ...d,
          tags: JSON.stringify(d.tags),
          unsupported: JSON.stringify(d.unsupported),
          fetchedAt: ctx.clock.now(),
        });
        s.deletePanelsNotIn.run(d.id, JSON.stringify(d.panels.map((p) => p.id)));
        d.panels.forEach((p, i) => s.upsertPanel.run(d.id, p.id, i, JSON.stringify(p)));
        ctx.touch('dashboards');
        return 'dashboards';
      },
      reset: () => void s.removeAll.run(),
    },
    {
      kind: 'dashboard.remove',
      apply(data) {
        s.removeDashboard.run(eventData['dashboard.remove'].parse(data).id);
        return 'dashboards';
      },
    },
    {
      kind: 'series.update',
      apply(data) {
        const x = eventData['series.update'].parse(data);
        // series for a panel we do not know (dashboard not synced yet, or removed) are dropped
        if (!s.panelExists.get(x.dashboardId, x.panelId)) return null;
        s.upsertSeries.run({ ...x, series: JSON.stringify(x.series) });
        ctx.touch('dashboards', x.fetchedAt);
        return 'dashboards';
      },
    },
  ];
}

export function createDashboardViews(ctx: CoreContext, repo: DashboardReader) {
  return function view(id: string, preset: TimeRangePreset): DashboardView | null {
    const dashboard = repo.list().find((d) => d.id === id);
    if (!dashboard) return null;
    const to = ctx.clock.now();
    const span = TIME_RANGES[preset];
    const from = span === null ? null : to - span;
    const cached = repo.series(id);
    return {
      dashboard,
      preset,
      window: { from, to },
      coverage: coverageOf(cached),
      oldestFetchedAt: cached.length ? Math.min(...cached.map((c) => c.fetchedAt)) : null,
      series: from === null ? cached : cached.map((c) => clip(c, from, to)),
    };
  };
}

export function clip(s: Series, from: number, to: number): Series {
  return {
    ...s,
    rangeStart: Math.max(s.rangeStart, from),
    rangeEnd: Math.min(s.rangeEnd, to),
    series: s.series.map((x) => ({ labels: x.labels, points: x.points.filter(([t]) => t >= from && t <= to) })),
  };
}

function coverageOf(cached: Series[]): DashboardView['coverage'] {
  let from = Infinity;
  let to = -Infinity;
  for (const c of cached)
    for (const x of c.series) {
      if (!x.points.length) continue;
      from = Math.min(from, x.points[0][0]);
      to = Math.max(to, x.points[x.points.length - 1][0]);
    }
  return Number.isFinite(from) ? { from, to } : null;
}
