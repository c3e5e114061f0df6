/** The knowledge module (runbooks, dashboards). See src/shared/contract/knowledge.ts for its slice. */
import { knowledgeMethods } from '../../../shared/contract/knowledge';
import { eventData } from '../../../shared/protocol';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';

export function createKnowledgeModule(ctx: CoreContext, _actions: ActionSink): CoreModule<typeof knowledgeMethods> {
  const db = ctx.db;
  const s = {
    upsertRunbook: db.prepare(`INSERT INTO runbooks (id, title, service, alertnames, tags, owner, url, markdown, origin, updated_at, fetched_at)
      VALUES (@id, @title, @service, @alertnames, @tags, @owner, @url, @markdown, 'platform', @updatedAt, @fetchedAt)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, service = excluded.service, alertnames = excluded.alertnames,
        tags = excluded.tags, owner = excluded.owner, url = excluded.url, markdown = excluded.markdown,
        origin = excluded.origin, updated_at = excluded.updated_at, fetched_at = excluded.fetched_at`),
    ftsDelete: db.prepare('DELETE FROM runbooks_fts WHERE id = ?'),
    ftsInsert: db.prepare('INSERT INTO runbooks_fts (title, body, tags, id) VALUES (?, ?, ?, ?)'),
    removeRunbook: db.prepare('DELETE FROM runbooks WHERE id = ?'),
    upsertDashboard: db.prepare(`INSERT INTO dashboards (id, title, tags, unsupported, updated_at, fetched_at)
      VALUES (@id, @title, @tags, @unsupported, @updatedAt, @fetchedAt)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, tags = excluded.tags, unsupported = excluded.unsupported,
        updated_at = excluded.updated_at, fetched_at = excluded.fetched_at`),
    deletePanelsNotIn: db.prepare(`DELETE FROM panels WHERE dashboard_id = ? AND id NOT IN (SELECT value FROM json_each(?))`),
    upsertPanel: db.prepare(`INSERT INTO panels (dashboard_id, id, position, spec) VALUES (?, ?, ?, ?)
      ON CONFLICT(dashboard_id, id) DO UPDATE SET position = excluded.position, spec = excluded.spec`),
    removeDashboard: db.prepare('DELETE FROM dashboards WHERE id = ?'),
    panelExists: db.prepare('SELECT 1 FROM panels WHERE dashboard_id = ? AND id = ?'),
    upsertSeries: db.prepare(`INSERT INTO series_snapshots (dashboard_id, panel_id, range_start, range_end, step_seconds, series, fetched_at)
      VALUES (@dashboardId, @panelId, @rangeStart, @rangeEnd, @stepSeconds, @series, @fetchedAt)
      ON CONFLICT(dashboard_id, panel_id) DO UPDATE SET range_start = excluded.range_start, range_end = excluded.range_end,
        step_seconds = excluded.step_seconds, series = excluded.series, fetched_at = excluded.fetched_at`),
  };
  const appliers: EventApplier[] = [
    {
      kind: 'runbook.upsert',
      apply(data) {
        const r = eventData['runbook.upsert'].parse(data);
        s.upsertRunbook.run({ ...r, alertnames: JSON.stringify(r.alertnames), tags: JSON.stringify(r.tags), fetchedAt: ctx.clock.now() });
        s.ftsDelete.run(r.id);
        s.ftsInsert.run(r.title, r.markdown, r.tags.join(' '), r.id);
        ctx.touch('runbooks');
        return 'runbooks';
      },
    },
    {
      kind: 'runbook.remove',
      apply(data) {
        const { id } = eventData['runbook.remove'].parse(data);
        s.removeRunbook.run(id);
        s.ftsDelete.run(id);
        return 'runbooks';
      },
    },
    {
      kind: 'dashboard.upsert',
      apply(data) {
        const d = eventData['dashboard.upsert'].parse(data);
        s.upsertDashboard.run({ ...d, tags: JSON.stringify(d.tags), unsupported: JSON.stringify(d.unsupported), fetchedAt: ctx.clock.now() });
        s.deletePanelsNotIn.run(d.id, JSON.stringify(d.panels.map((p) => p.id)));
        d.panels.forEach((p, i) => s.upsertPanel.run(d.id, p.id, i, JSON.stringify(p)));
        ctx.touch('dashboards');
        return 'dashboards';
      },
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
  return { handlers: {}, appliers };
}
