/** The knowledge module (runbooks, dashboards). See src/shared/contract/knowledge.ts for its slice. */
import path from 'node:path';
import type { RefreshOutcome } from '@shared/contract/knowledge';
import { knowledgeMethods } from '@shared/contract/knowledge';
import { eventData } from '@shared/protocol';
import { ApiError } from '@shared/rpc';
import type { RunbookFacets } from '@shared/runbooks';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createStepTicks } from './step-ticks';
import { createDashboardAppliers, createDashboardReader, createDashboardViews } from './dashboards';
import { importFolder } from './folder-import';
import { createAlertRunbooks } from './alert-runbooks';
import { createRunbookStore, toRunbook, toSummary } from './runbook-store';
import { createRunbookSearch } from './search';

export interface KnowledgeDeps {
  /** "refresh now": asks the platform link to reconnect / resynchronise at once (provided by the link) */
  requestResync?: () => RefreshOutcome;
}

export function createKnowledgeModule(
  ctx: CoreContext,
  actions: ActionSink,
  deps: KnowledgeDeps = {},
): CoreModule<typeof knowledgeMethods> {
  const db = ctx.db;
  const store = createRunbookStore(db);
  const search = createRunbookSearch(db);
  const alertRunbooks = createAlertRunbooks(db);
  const getRunbook = (id: string) => {
    const r = store.get(id);
    return r ? toRunbook(r) : null;
  };
  const stepTicks = createStepTicks(ctx, actions, getRunbook);
  const dashboards = createDashboardReader(db);
  const dashboardView = createDashboardViews(ctx, dashboards);
  const facets = {
    services: db.prepare<[], { name: string; count: number }>(
      'SELECT service AS name, count(*) AS count FROM runbooks WHERE service IS NOT NULL GROUP BY service ORDER BY service',
    ),
    tags: db.prepare<[], { name: string; count: number }>(
      'SELECT t.value AS name, count(*) AS count FROM runbooks, json_each(runbooks.tags) t GROUP BY t.value ORDER BY t.value',
    ),
  };

  const appliers: EventApplier[] = [
    {
      kind: 'runbook.upsert',
      apply(data) {
        const r = eventData['runbook.upsert'].parse(data);
        store.upsert({ ...r, origin: 'platform', fetchedAt: ctx.clock.now() });
        ctx.touch('runbooks');
        return 'runbooks';
      },
      reset: () => store.removeOrigin('platform'),
    },
    {
      kind: 'runbook.remove',
      apply(data) {
        store.remove(eventData['runbook.remove'].parse(data).id);
        return 'runbooks';
      },
    },
    ...createDashboardAppliers(ctx),
  ];

  const operator = () => ctx.auditName();

  return {
    appliers,
    handlers: {
      runbooksSearch: (q) => search(q),
      runbookFacets: (): RunbookFacets => ({ services: facets.services.all(), tags: facets.tags.all() }),
      runbookPage: (id) => {
        const row = store.get(id);
        if (!row) return null;
        return {
          runbook: toRunbook(row),
          sourcePath: row.source_root && row.source_path ? path.join(row.source_root, row.source_path) : null,
          alerts: alertRunbooks.firingFor(toSummary(row)),
          stepRun: stepTicks.current(id),
        };
      },
      runbooksImportFolder: async (root) => {
        const result = await importFolder({ db, store, now: ctx.clock.now() }, root);
        ctx.audit(operator(), 'runbooks.import_folder', {
          root: result.root,
          imported: result.imported,
          updated: result.updated,
          removed: result.removed,
        });
        if (result.imported || result.updated || result.removed) ctx.emit('dataChanged', { collection: 'runbooks' });
        return result;
      },
      runbookForAlert: (fingerprint) => {
        const ref = alertRunbooks.forAlert(fingerprint);
        if (!ref) throw new ApiError('not_found', `No cached alert with fingerprint ${fingerprint}.`);
        return ref;
      },
      runbookStepSet: (id, stepId, done) => {
        const run = stepTicks.setStep(id, stepId, done);
        ctx.emit('dataChanged', { collection: 'checklists', ids: [run.runId] });
        return run;
      },
      runbookStepRunFinish: (id, note) => {
        const run = stepTicks.finish(id, note);
        ctx.emit('dataChanged', { collection: 'checklists', ids: [run.runId] });
        ctx.emit('dataChanged', { collection: 'outbox' });
        return run;
      },
      runbookStepRunAbandon: (id) => {
        const run = stepTicks.abandon(id);
        if (run) ctx.emit('dataChanged', { collection: 'checklists', ids: [run.runId] });
        return run;
      },
      dashboardsList: () => dashboards.list(),
      dashboardSeries: (id) => dashboards.series(id),
      dashboardView: (id, preset) => dashboardView(id, preset),
      knowledgeRefresh: () =>
        deps.requestResync?.() ?? {
          requested: false,
          reason: 'This build has no platform link that can be asked to refresh.',
        },
    },
  };
}
