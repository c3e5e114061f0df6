/** What every core module receives. Built once per open database by the core factory (createContext). */
import type { EventName, EventPayload } from '@shared/api';
import type { Settings } from '@shared/domain';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { Notifier } from './notifier';
import type { SecretStore } from './secrets';
import type { DB } from '@node/sqlite';

export interface CoreContext {
  db: DB;
  clock: Clock;
  log: Logger;
  notifier: Notifier;
  secrets: SecretStore;
  dataDir: string;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  settings(): Settings;
  /** records who did what, for the audit trail (handbook 000 §14) */
  audit(actor: string, action: string, detail?: unknown): void;
  /** the platform link's current state (null until the link module is built) */
  linkState(): import('@shared/domain').LinkState | null;
  /** stamps a collection as freshly written (drives the "as of N min ago" labels) */
  touch(collection: 'alerts' | 'runbooks' | 'dashboards' | 'rosters', at?: number): void;
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
  apply(data: unknown, meta: { seq: number; at: number }): import('@shared/domain').Collection | null;
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
}

/** What createContext needs; audit and touch are built from the database. */
export type ContextDeps = Omit<CoreContext, 'audit' | 'touch'>;

/**
 * The context for one open database: `audit` and `touch` write through statements prepared once. The core
 * factory and the test harnesses both build it here, so a module under test sees what it sees in the app.
 */
export function createContext(deps: ContextDeps): CoreContext {
  const { db, clock } = deps;
  const touchStmt = db.prepare(
    'INSERT INTO collection_meta (collection, fetched_at) VALUES (?, ?) ON CONFLICT(collection) DO UPDATE SET fetched_at = excluded.fetched_at',
  );
  const auditStmt = db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)');
  return {
    ...deps,
    audit: (actor, action, detail) => auditStmt.run(clock.now(), actor, action, detail === undefined ? '' : JSON.stringify(detail)),
    touch: (collection, at) => touchStmt.run(collection, at ?? clock.now()),
  };
}
