/**
 * A knowledge module over a real Vigil data dir, built the way the core builds it, for tests and benchmarks
 * that need cached content before the app starts (e2e seeding, the dashboard render benchmark) or without
 * the rest of the core (unit tests). Platform events go through the module's own appliers, inside a
 * transaction, exactly as the platform link applies them.
 */
import type { Alert } from '@shared/alerts';
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import type { EventDataOf } from '@shared/protocol';
import { createAlertRepo } from '@core/alerts/repo';
import { FakeClock, systemClock, type Clock } from '@node/clock';
import type { CoreContext } from '@core/context';
import { createKnowledgeModule, type KnowledgeDeps } from '@core/knowledge/module';
import type { DB } from '@node/sqlite';
import { recordingActions, testContext, type RecordedEvent, type Submitted } from '@test/helpers/context';
import { firingAlert } from '@test/helpers/alerts';

type Kind = 'runbook.upsert' | 'runbook.remove' | 'dashboard.upsert' | 'dashboard.remove' | 'series.update';

export interface KnowledgeTestbed {
  db: DB;
  clock: Clock;
  ctx: CoreContext;
  module: ReturnType<typeof createKnowledgeModule>;
  /** actions handed to the (absent) platform link, recorded */
  submitted: Submitted[];
  events: RecordedEvent[];
  settings: Settings;
  apply<K extends Kind>(kind: K, data: EventDataOf<K>): void;
  upsertRunbook(r: Partial<EventDataOf<'runbook.upsert'>> & { id: string; markdown: string }): void;
  upsertAlert(a: Partial<Alert> & { fingerprint: string; alertname: string }): void;
  close(): void;
}

export function openKnowledgeTestbed(opts: {
  dataDir: string;
  clock?: Clock;
  deps?: KnowledgeDeps;
  failSubmit?: boolean;
}): KnowledgeTestbed {
  const clock = opts.clock ?? systemClock;
  const settings: Settings = { ...DEFAULT_SETTINGS, operator: 'Wang Fang' };
  const { ctx, db, events } = testContext({ dataDir: opts.dataDir, clock, settings: () => settings });
  const { actions, submitted } = recordingActions(clock, { fail: () => !!opts.failSubmit });
  const module = createKnowledgeModule(ctx, actions, opts.deps);
  const appliers = new Map(module.appliers!.map((a) => [a.kind, a]));
  const apply: KnowledgeTestbed['apply'] = (kind, data) => {
    db.transaction(() => appliers.get(kind)!.apply(data, { seq: 1, at: clock.now() }))();
  };
  const alerts = createAlertRepo(db);
  return {
    db,
    clock,
    ctx,
    module,
    submitted,
    events,
    settings,
    apply,
    upsertRunbook: (r) =>
      apply('runbook.upsert', {
        title: r.id,
        service: null,
        alertnames: [],
        tags: [],
        owner: null,
        url: null,
        updatedAt: clock.now(),
        ...r,
      }),
    upsertAlert: (a) =>
      db.transaction(() =>
        alerts.upsert(
          firingAlert({
            labels: { alertname: a.alertname },
            severity: 'P1',
            startsAt: clock.now() - 60_000,
            updatedAt: clock.now(),
            ...a,
          }),
          clock.now(),
        ),
      )(),
    close: () => db.close(),
  };
}

export { FakeClock };
