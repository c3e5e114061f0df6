/**
 * What every core module receives. Built once per open database by createModuleContext, which the core
 * factory (phases.ts) and the test harnesses (test/helpers/context.ts) both call.
 */
import type { Settings } from '@shared/domain';
import { recordName, type Identity, type Role } from '@shared/identity';
import { ApiError } from '@shared/rpc';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';
import type { CoreBus } from './bus';
import { languageOf, type PageLanguage } from './language';
import type { Language } from '@shared/domain';
import { identityText } from './link/texts';
import { safeNotifier, type CoreNotifier, type Notifier } from './notifier';
import type { SecretStore } from './secrets';
import { createStorageWatch, type StorageWatch } from './storage';

/** The person this console acts as (link/session.ts says who, from the platform's welcome). */
export interface Me {
  name: string;
  /** null for the shared token and with no platform */
  login: string | null;
  role: Role;
  /** how the platform knew them; 'local' = no platform, the name typed in Settings */
  via: Identity['via'] | 'local';
}

/** the name a record carries for `me`: the proven name, or the typed one marked "(shared token)" */
export const meName = (me: Me): string => (me.via === 'local' ? me.name : recordName({ name: me.name, via: me.via }));

export interface CoreContext {
  db: DB;
  clock: Clock;
  log: Logger;
  /** never throws or rejects; answers whether the notification was shown (and why not) */
  notifier: CoreNotifier;
  secrets: SecretStore;
  dataDir: string;
  /** tells the core's bus (and through it the renderer) that something happened */
  emit: CoreBus['emit'];
  /** listens on the core's bus; returns the unsubscribe function (call it in the module's stop()) */
  on: CoreBus['on'];
  settings(): Settings;
  /** the language the core writes in now: the setting, or for 'auto' the page's (language.ts) */
  language(): Language;
  /** who is signed in at this console (null: nobody — signed out, or the platform has not said yet) */
  me(): Me | null;
  /**
   * the name records made now carry (meName of me()); refuses with `signed_out` when nobody is signed in,
   * so nothing is recorded as someone the platform did not prove
   */
  operator(): string;
  /** the name audit rows carry: as operator(), or "(signed out)" when nobody is signed in */
  auditName(): string;
  /** records who did what, for the audit trail (handbook 000 §14) */
  audit(actor: string, action: string, detail?: unknown): void;
  /** stamps a collection as freshly written (drives the "as of N min ago" labels) */
  touch(collection: 'alerts' | 'runbooks' | 'dashboards' | 'rosters', at?: number): void;
  /** where a failed write is reported (disk full, read-only data folder) and a working one clears it */
  storage: StorageWatch;
}

/** How a feature module sends an action: written to the outbox first, then sent by the platform link. */
export interface ActionSink {
  submit<T extends import('@shared/actions').ActionType>(
    type: T,
    payload: import('@shared/actions').ActionPayload<T>,
    actor: string,
  ): import('@shared/actions').OutboxEntry;
}

/**
 * How a feature module stores platform events: the link calls `apply` inside the same SQLite
 * transaction that advances the sync cursor, so an event is stored exactly once.
 */
export interface EventApplier {
  kind: string;
  /**
   * `meta.hold`: the link's fast pass runs the whole batch in one transaction without savepoints, so the
   * applier may hold its writes back until endBatch() (e.g. write an alert updated five times once); a
   * rollback is told by rolledBack(). Without it (the pass with a savepoint per event, snapshots), write
   * at once.
   */
  apply(data: unknown, meta: { seq: number; at: number; hold?: boolean }): import('@shared/domain').Collection | null;
  /**
   * Empties what this applier stored from the platform. Called inside the transaction that replaces the
   * cache with a full snapshot, before the snapshot's items are applied, so entities the platform no
   * longer has disappear. Keep local-only data (imported runbooks, drafts). Called once per applier object.
   */
  reset?(): void;
  /**
   * Called once per applier object after the snapshot's last item, inside the same transaction, when
   * reset() was called before the items: write what apply() buffered (a module may batch a snapshot's
   * rows, since reset() left nothing to read back).
   */
  endSnapshot?(): void;
  /**
   * Called once per applier object at the end of a batch of events in which it applied at least one,
   * inside the batch's transaction (what is the same for every event of a batch, e.g. stamping the
   * collection as fresh, is done once here instead of per event). Not called for snapshots.
   */
  endBatch?(): void;
  /**
   * The transaction the link just ran (a batch or a snapshot) committed: what this applier's apply() calls
   * wrote is stored. Called once per applier object after every transaction, outside it. Without it (or
   * before it) a module reads back what it needs instead of trusting what it wrote.
   */
  committed?(): void;
  /** The transaction the link just ran rolled back (a refused event, a store failure): nothing of it is stored. */
  rolledBack?(): void;
}

/** What a module context is built from; emit/on come from the bus, audit/touch from the database. */
export interface ModuleContextDeps {
  db: DB;
  clock: Clock;
  log: Logger;
  /** the notification backend as injected (the OS one, or a MemoryNotifier); wrapped here */
  notifier: Notifier;
  secrets: SecretStore;
  dataDir: string;
  bus: CoreBus;
  /** the core's storage watch (one per core); a new one on this bus when absent (tests) */
  storage?: StorageWatch;
  settings(): Settings;
  /** what the page said its 'auto' language is (language.ts); absent: the process's locale */
  pageLanguage?: PageLanguage;
  /** who is signed in (the link's session); default: nobody proves anything, the typed name (no platform) */
  me?: () => Me | null;
}

/**
 * The context for one open database, with the wrappers every module gets: the notifier through
 * safeNotifier, `emit`/`on` on the core's bus, `audit` and `touch` through statements prepared once. The
 * core factory and the test harnesses both build it here, so a module under test sees what it sees in
 * the app.
 */
export function createModuleContext(deps: ModuleContextDeps): CoreContext {
  const { db, clock, log, bus } = deps;
  const touchStmt = db.prepare(
    'INSERT INTO collection_meta (collection, fetched_at) VALUES (?, ?) ON CONFLICT(collection) DO UPDATE SET fetched_at = excluded.fetched_at',
  );
  const auditStmt = db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)');
  const me = deps.me ?? ((): Me => ({ name: deps.settings().operator, login: null, role: 'responder', via: 'local' }));
  return {
    db,
    clock,
    log,
    notifier: safeNotifier(deps.notifier, log),
    secrets: deps.secrets,
    dataDir: deps.dataDir,
    settings: deps.settings,
    language: () => languageOf(deps.settings(), deps.pageLanguage),
    me,
    operator() {
      const m = me();
      if (!m) throw new ApiError('signed_out', identityText.in(languageOf(deps.settings(), deps.pageLanguage)).nobody());
      return meName(m);
    },
    auditName() {
      const m = me();
      return m ? meName(m) : '(signed out)';
    },
    emit: (name, payload) => bus.emit(name, payload),
    on: (name, listener) => bus.on(name, listener),
    audit: (actor, action, detail) =>
      auditStmt.run(clock.now(), actor, action, detail === undefined ? '' : JSON.stringify(detail)),
    touch: (collection, at) => touchStmt.run(collection, at ?? clock.now()),
    storage: deps.storage ?? createStorageWatch({ bus, clock, log, dataDir: deps.dataDir }),
  };
}
