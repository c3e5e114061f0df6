/**
 * The GatewayStore on one SQLite file (gateway.db, opened by the shared openDatabase: WAL, checksummed
 * migrations from schema.ts). Composed of the event log with its entity table (event-log.ts), the snapshot
 * reader (snapshot.ts), the action log (action-log.ts), the process records (process.ts) and the ack
 * extensions (ack-ledger.ts), all on one
 * connection, so a process action, its events and its action id commit in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type DB } from '@node/sqlite';
import type { ActionRecord, GatewayStore, ProcessApplied, StoredEvent, StoredResult } from '../store';
import type { ProcessAction } from '../process';
import { createAckLedger } from './ack-ledger';
import { createActionLog } from './action-log';
import { createEventLog } from './event-log';
import { createProcessStore } from './process';
import { gatewayMigrations } from './schema';
import { createSnapshotReader } from './snapshot';

export interface SqliteGatewayStore extends GatewayStore {
  /** the connection itself, for checks in tests; the gateway never uses it */
  readonly db: DB;
}

export interface SqliteStoreOptions {
  /** events kept in the log (default 500 000); a client further behind gets a snapshot */
  retain?: number;
}

/** this log's identity, made once and kept in the meta table */
function serverIdOf(db: DB): string {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('serverId') as { value: string } | undefined;
  if (row) return row.value;
  const id = randomUUID();
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('serverId', id);
  return id;
}

export function openGatewayStore(file: string, opts: SqliteStoreOptions = {}): SqliteGatewayStore {
  const db: DB = openDatabase(file, { migrations: gatewayMigrations });
  const log = createEventLog(db, opts.retain ?? 500_000);
  const actions = createActionLog(db);
  const processes = createProcessStore(db);

  const applyProcessAction = db.transaction(
    (a: ActionRecord, type: ProcessAction, payload: unknown): ProcessApplied => {
      const out = processes.apply(type, payload, { name: a.actor, login: a.login }, a.at);
      const result: StoredResult = out.ok ? { ok: true, error: null } : { ok: false, error: out.error };
      const appended: StoredEvent[] = out.ok ? log.append(out.events, a.at).appended : [];
      actions.recordAction(a, result);
      return { result, appended };
    },
  );

  return {
    db,
    serverId: serverIdOf(db),
    ...log,
    snapshot: createSnapshotReader(db, log.head),
    ...actions,
    applyProcessAction,
    ...createAckLedger(db),
    close: () => db.close(),
  };
}
