/** Read handlers for the cached collections (runbooks, dashboards, rosters); alerts live in alerts/repo. */
import type { Dashboard, Panel, Series } from '@shared/dashboards';
import { parseJson } from '@shared/json';
import type { Roster } from '@shared/roster';
import type { Runbook, RunbookSummary } from '@shared/runbooks';
import { toSummary, type RunbookRow } from './knowledge/runbook-store';
import type { DB } from '@node/sqlite';

type Row = Record<string, unknown>;

export function createCollectionsRepo(db: DB) {
  const s = {
    runbooks: db.prepare('SELECT id, title, service, alertnames, tags, owner, url, updated_at, fetched_at, origin FROM runbooks ORDER BY title'),
    runbook: db.prepare('SELECT * FROM runbooks WHERE id = ?'),
    dashboards: db.prepare('SELECT * FROM dashboards ORDER BY title'),
    panels: db.prepare('SELECT spec FROM panels WHERE dashboard_id = ? ORDER BY position'),
    series: db.prepare('SELECT * FROM series_snapshots WHERE dashboard_id = ?'),
    rosters: db.prepare('SELECT * FROM rosters ORDER BY name'),
    people: db.prepare('SELECT * FROM people WHERE roster_id = ? ORDER BY name'),
  };
  return {
    runbooksList: (): RunbookSummary[] => (s.runbooks.all() as RunbookRow[]).map(toSummary),
    runbookGet: (id: string): Runbook | null => {
      const r = s.runbook.get(id) as RunbookRow | undefined;
      return r ? { ...toSummary(r), markdown: r.markdown } : null;
    },
    dashboardsList: (): Dashboard[] =>
      (s.dashboards.all() as Row[]).map((d) => ({
        id: d.id as string,
        title: d.title as string,
        tags: parseJson<string[]>(d.tags).value ?? [],
        unsupported: parseJson<Dashboard['unsupported']>(d.unsupported).value ?? [],
        updatedAt: d.updated_at as number,
        fetchedAt: d.fetched_at as number,
        panels: (s.panels.all(d.id) as Row[]).flatMap((p) => parseJson<Panel>(p.spec).value ?? []),
      })),
    dashboardSeries: (id: string): Series[] =>
      (s.series.all(id) as Row[]).map((r) => ({
        dashboardId: r.dashboard_id as string,
        panelId: r.panel_id as string,
        series: parseJson<Series['series']>(r.series).value ?? [],
        rangeStart: r.range_start as number,
        rangeEnd: r.range_end as number,
        stepSeconds: r.step_seconds as number,
        fetchedAt: r.fetched_at as number,
      })),
    rostersList: (): Roster[] =>
      (s.rosters.all() as Row[]).map((r) => ({
        id: r.id as string,
        name: r.name as string,
        document: parseJson(r.document).value ?? null,
        updatedAt: r.updated_at as number,
        fetchedAt: r.fetched_at as number,
        origin: r.origin as Roster['origin'],
        people: (s.people.all(r.id) as Row[]).map((p) => ({
          id: p.id as string,
          name: p.name as string,
          role: (p.role as string) ?? null,
          phone: (p.phone as string) ?? null,
          email: (p.email as string) ?? null,
          im: parseJson<Roster['people'][number]['im']>(p.im).value ?? {},
        })),
      })),
  };
}
