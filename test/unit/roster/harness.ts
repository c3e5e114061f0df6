/**
 * A roster module on a real SQLite file in a temp dir, with FakeClock and MemoryNotifier. The one
 * stand-in is the ActionSink: the platform link is another module, so actions are written straight to
 * the real `outbox` table — inside the caller's transaction, as the link does — and counted from there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import type { Alert } from '@shared/alerts';
import { createAlertRepo } from '@core/alerts/repo';
import { FakeClock } from '@node/clock';
import type { ActionSink, CoreContext } from '@core/context';
import { MemoryNotifier } from '@core/notifier';
import { createRosterModule, type RosterModule } from '@core/roster/module';
import type { DB } from '@node/sqlite';
import { testContext, type RecordedEvent } from '@test/helpers/context';
import { tempDir } from '@test/helpers/tmp';
import { firingAlert } from '@test/helpers/alerts';

export const DEMO_YAML = fs.readFileSync(path.resolve(__dirname, '../../../resources/demo/roster.yaml'), 'utf8');
export const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '../../fixtures/roster', name), 'utf8');

export interface Harness {
  db: DB;
  clock: FakeClock;
  notifier: MemoryNotifier;
  events: RecordedEvent[];
  roster: RosterModule;
  ctx: CoreContext;
  settings: Settings;
  /** (re)opens the database and builds a started module, as a restart of the app does */
  reopen(): void;
  close(): void;
  upsertAlert(a: Partial<Alert> & Pick<Alert, 'fingerprint'>): void;
  /** says on the bus that alerts changed, as the link does after a sync commit */
  alertsChanged(): void;
  outbox(): { type: string; payload: Record<string, unknown> }[];
  cleanup(): void;
}

export function createHarness(opts: { clock?: FakeClock; failSubmit?: boolean } = {}): Harness {
  const tmp = tempDir('vigil-roster-');
  const clock = opts.clock ?? new FakeClock();
  const notifier = new MemoryNotifier();
  const events: Harness['events'] = [];
  const settings: Settings = { ...DEFAULT_SETTINGS, language: 'en', operator: 'Test Operator' };
  const h = {
    clock,
    notifier,
    events,
    settings,
  } as unknown as Harness;

  h.reopen = () => {
    const { ctx, db } = testContext({ dataDir: tmp.dir, clock, notifier, events, settings: () => settings });
    const insert = db.prepare("INSERT INTO outbox (id, type, payload, state, created_at) VALUES (?, ?, ?, 'pending', ?)");
    const actions: ActionSink = {
      submit(type, payload) {
        if (opts.failSubmit) throw new Error('outbox unavailable');
        const id = randomUUID();
        insert.run(id, type, JSON.stringify(payload), clock.now());
        return { id, type, payload, state: 'pending', attempts: 0, lastError: null, createdAt: clock.now(), sentAt: null, ackedAt: null };
      },
    };
    h.db = db;
    h.ctx = ctx;
    h.roster = createRosterModule(ctx, actions);
    h.roster.start?.();
  };
  h.close = () => {
    h.roster.stop?.();
    h.db.close();
  };
  h.upsertAlert = (a) => {
    const now = clock.now();
    const full = firingAlert({
      alertname: 'OzonOrderPullFailures',
      labels: { team: 'ozon-channel' },
      annotations: {},
      startsAt: now,
      updatedAt: now,
      ...a,
    });
    createAlertRepo(h.db).upsert(full, now);
    h.alertsChanged();
  };
  h.alertsChanged = () => h.ctx.emit('dataChanged', { collection: 'alerts' });
  h.outbox = () =>
    (h.db.prepare('SELECT type, payload FROM outbox ORDER BY seq').all() as { type: string; payload: string }[]).map((r) => ({
      type: r.type,
      payload: JSON.parse(r.payload),
    }));
  h.cleanup = () => {
    try {
      h.close();
    } catch {
      /* already closed */
    }
    tmp.cleanup();
  };
  h.reopen();
  return h;
}

export async function importDemo(h: Harness) {
  const res = await h.roster.handlers.rosterImport({ format: 'yaml', text: DEMO_YAML });
  if (!res.ok) throw new Error(`demo roster does not import: ${JSON.stringify(res.issues)}`);
  return res;
}
