/**
 * The GatewayStore on PostgreSQL, for several gateway replicas on one database (issue #17). The same
 * contract as the SQLite store (store.ts), over a synchronous connection (@node/pg-sync). What is shared
 * with SQLite is shared code: the action log, the ack ledger and the process records (sqlite/*.ts, written
 * against @node/sql's SqlConnection); the event log and the snapshot reader are PostgreSQL's own
 * (event-log.ts, snapshot.ts). What several replicas add:
 * - one serverId for all of them (meta table), so a console's cursor is valid on every replica;
 * - an action id applied upstream by one replica at a time: beginAction takes a session advisory lock on the
 *   id (released by recordAction, or by the server when the replica dies) and answers `busy` when another
 *   live replica holds it, or when the id got its result meanwhile; the caller then waits for the stored
 *   result. A dead replica's attempt row stays, so the next replica's attempt is `resumed`;
 * - a process action takes the id's lock and the log head for its transaction (process actions and appends
 *   are serialised across replicas) and answers the stored result when another replica applied the id first.
 */
import { randomUUID } from 'node:crypto';
import { PgSync, type PgSyncOptions } from '@node/pg-sync';
import { createAckLedger } from '../sqlite/ack-ledger';
import { createActionLog } from '../sqlite/action-log';
import { createProcessStore } from '../sqlite/process';
import type { ActionRecord, GatewayStore, ProcessApplied, StoredEvent, StoredResult } from '../store';
import type { ProcessAction } from '../process';
import { createPgEventLog } from './event-log';
import { LOCKS } from './locks';
import { migratePostgres } from './migrate';
import { pgGatewayMigrations } from './schema';
import { createPgSnapshotReader } from './snapshot';

export interface PgGatewayStore extends GatewayStore {
  /** the synchronous connection (the replica machinery and tests use it; the gateway's units do not) */
  readonly db: PgSync;
  /** where the store is, without credentials, for messages */
  readonly where: string;
}

export interface PgStoreOptions extends PgSyncOptions {
  /** events kept in the log (default 500 000); a client further behind gets a snapshot */
  retain?: number;
  /** for the migrations' applied_at (default: the wall clock) */
  now?: () => number;
}

/** the URL without user info, for messages and logs */
export function describePgUrl(url: string | undefined): string {
  if (!url) return 'PostgreSQL (from the PG* variables)';
  try {
    const u = new URL(url);
    return `postgres://${u.host}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}

function serverIdOf(db: PgSync): string {
  db.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', ['serverId', randomUUID()]);
  return db.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', ['serverId']).rows[0].value;
}

export function openPgGatewayStore(o: PgStoreOptions): PgGatewayStore {
  const where = describePgUrl(o.connectionString);
  const db = new PgSync(o);
  try {
    migratePostgres(db, where, pgGatewayMigrations, (o.now ?? Date.now)());
  } catch (err) {
    db.close();
    throw err;
  }
  const log = createPgEventLog(db, o.retain ?? 500_000);
  const actions = createActionLog(db);
  const processes = createProcessStore(db);
  /** action ids whose advisory lock this connection holds */
  const held = new Set<string>();

  const applyProcessAction = db.transaction((a: ActionRecord, type: ProcessAction, payload: unknown): ProcessApplied => {
    db.query(`SELECT pg_advisory_xact_lock(${LOCKS.actionSql})`, [a.id]);
    db.query('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE');
    const earlier = actions.storedResult(a.id);
    if (earlier) return { result: earlier, appended: [] };
    const out = processes.apply(type, payload, { name: a.actor, login: a.login }, a.at);
    const result: StoredResult = out.ok ? { ok: true, error: null } : { ok: false, error: out.error };
    const appended: StoredEvent[] = out.ok ? log.append(out.events, a.at).appended : [];
    actions.recordAction(a, result);
    return { result, appended };
  });

  return {
    db,
    where,
    serverId: serverIdOf(db),
    ...log,
    snapshot: createPgSnapshotReader(db),
    ...actions,
    beginAction(a) {
      if (!held.has(a.id)) {
        const got = db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCKS.actionSql}) AS ok`, [a.id]).rows[0].ok;
        if (!got) return { resumed: false, busy: true };
        held.add(a.id);
      }
      // another replica may have finished it between the caller's look and the lock
      if (actions.storedResult(a.id)) {
        release(a.id);
        return { resumed: false, busy: true };
      }
      return actions.beginAction(a);
    },
    recordAction(a, r) {
      actions.recordAction(a, r);
      release(a.id);
    },
    applyProcessAction,
    ...createAckLedger(db),
    close: () => db.close(),
  };

  function release(id: string) {
    if (!held.delete(id)) return;
    try {
      db.query(`SELECT pg_advisory_unlock(${LOCKS.actionSql})`, [id]);
    } catch {
      // the connection is gone, and the lock with it
    }
  }
}
