/**
 * A feature module's CoreContext for a test, built by the core's own createModuleContext on a real SQLite
 * file (migrated by openDatabase), so a module under test gets what it gets in the app: the notifier
 * behind safeNotifier, emit/on on a real bus, audit and touch writing their tables. The notification
 * backend and the secret store are the in-memory ones (a test reads what was "shown" from `notifier`);
 * every event on the bus is recorded.
 */
import type { PageLanguage } from '@core/language';
import path from 'node:path';
import type { EventName, EventPayload } from '@shared/api';
import { parseActionPayload, type ActionType, type OutboxEntry } from '@shared/actions';
import type { Settings } from '@shared/domain';
import type { Clock } from '@node/clock';
import { createBus, type CoreBus, type CoreEvents } from '@core/bus';
import { createModuleContext, type ActionSink, type CoreContext } from '@core/context';
import { silentLogger, type Logger } from '@node/log';
import { MemoryNotifier } from '@core/notifier';
import { MemorySecretStore } from '@core/secrets';
import { createSettingsRepo } from '@core/settings';
import { type DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';

export interface RecordedEvent {
  name: EventName;
  payload: unknown;
}

export interface TestContext {
  ctx: CoreContext;
  db: DB;
  bus: CoreBus;
  /** the notification backend behind ctx.notifier (which wraps it as in the app) */
  notifier: MemoryNotifier;
  events: RecordedEvent[];
  eventsOf<E extends EventName>(name: E): EventPayload<E>[];
}

export function testContext(opts: {
  dataDir: string;
  clock: Clock;
  /** default: the settings table of this database, as in the app */
  settings?: () => Settings;
  log?: Logger;
  notifier?: MemoryNotifier;
  /** where events are recorded (a harness that reopens the database keeps one list) */
  events?: RecordedEvent[];
  /** what the page said its 'auto' language is (src/main/core/language.ts) */
  pageLanguage?: PageLanguage;
}): TestContext {
  const db = openCoreDatabase(path.join(opts.dataDir, 'vigil.db'));
  const log = opts.log ?? silentLogger;
  const notifier = opts.notifier ?? new MemoryNotifier();
  const events = opts.events ?? [];
  const bus = createBus<CoreEvents>(log);
  bus.onAny((name, payload) => void events.push({ name, payload }));
  const ctx = createModuleContext({
    db,
    clock: opts.clock,
    log,
    notifier,
    secrets: new MemorySecretStore(),
    dataDir: opts.dataDir,
    bus,
    settings: opts.settings ?? createSettingsRepo(db).read,
    pageLanguage: opts.pageLanguage,
  });
  return {
    ctx,
    db,
    bus,
    notifier,
    events,
    eventsOf: <E extends EventName>(name: E) => events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>),
  };
}

export interface Submitted {
  type: ActionType;
  payload: unknown;
  actor: string;
}

/**
 * An ActionSink standing in for the link's outbox where a test is about what a module submits: it validates
 * each payload as the outbox does, records it and answers with the pending entry. (Tests of the outbox
 * itself use the real one, src/main/core/link/outbox.ts.)
 */
export function recordingActions(clock: Clock, opts: { fail?: () => boolean; idPrefix?: string } = {}) {
  const submitted: Submitted[] = [];
  let seq = 0;
  const actions: ActionSink = {
    submit(type, payload, actor) {
      if (opts.fail?.()) throw new Error('outbox unavailable');
      parseActionPayload(type, payload);
      submitted.push({ type, payload, actor });
      const entry: OutboxEntry = {
        id: `${opts.idPrefix ?? 'action-'}${++seq}`,
        type,
        payload,
        state: 'pending',
        attempts: 0,
        lastError: null,
        createdAt: clock.now(),
        sentAt: null,
        ackedAt: null,
      };
      return entry;
    },
  };
  return { actions, submitted };
}
