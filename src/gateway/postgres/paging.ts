/**
 * The PagingStore (paging/store.ts) on PostgreSQL, shared by every gateway replica on the database: tables
 * page_ladders, page_steps, page_messages (migration 6) and page_comms (migration 7) of schema.ts, the same
 * content as SQLite's. It
 * opens its own synchronous connection (@node/pg-sync), as the UserStore does. Each method is one statement
 * or one transaction, and the guarantees of the interface hold across replicas under READ COMMITTED:
 * - `page` moves the level with `UPDATE … WHERE level = from AND stopped_at IS NULL`: a replica racing for
 *   the same level waits for the first one's row lock, then finds the level moved and updates nothing (its
 *   transaction ends without a step or a message); the (ladder_id, level) key of page_steps backs it up;
 * - `startLadder` relies on the unique index of open ladders per alert (ON CONFLICT DO NOTHING), so two
 *   replicas starting the same alert's ladder at once leave one;
 * - a message id inserted twice keeps the first (ON CONFLICT (id) DO NOTHING), and so does a comms id (with
 *   its messages: nothing is written for the second);
 * - `claim` is one conditional UPDATE (pending, the attempts read, due): of two deliverers claiming the same
 *   message, the second re-checks the row after the first commits and finds it not due.
 */
import { PgSync } from '@node/pg-sync';
import type { CommsRow, NewMessage, PagingStore, StepRow } from '../paging/store';
import { toComms, toLadder, toMessage, toStep, type CommsSql, type LadderSql, type MessageSql, type StepSql } from '../sqlite/paging';
import { migratePostgres } from './migrate';
import { pgGatewayMigrations } from './schema';
import { describePgUrl, type PgStoreOptions } from './store';

const LADDER_COLS = 'id, fingerprint, roster_id, policy_id, started_at, level, level_at, stopped_at, stop_reason';
const MESSAGE_COLS =
  'id, ladder_id, comms_id, max_attempts, level, channel, type, person, body, state, attempts, next_at, last_error, created_at, done_at';
const COMMS_COLS = 'id, kind, incident_id, phase, by_name, login, at, console, none_reason';

/** the PagingStore over a connection whose schema is migrated (the caller owns the connection) */
export function createPgPagingStore(db: PgSync, close: () => void): PagingStore {
  const ladders = (sql: string, params: unknown[] = []) => db.query<LadderSql>(sql, params).rows.map(toLadder);
  const messages = (sql: string, params: unknown[] = []) => db.query<MessageSql>(sql, params).rows.map(toMessage);

  const page = db.transaction((ladderId: string, from: number, step: StepRow, list: NewMessage[]): boolean => {
    const moved = db.query(
      'UPDATE page_ladders SET level = $1, level_at = $2 WHERE id = $3 AND level = $4 AND stopped_at IS NULL',
      [from + 1, step.at, ladderId, from],
    ).rowCount;
    if (moved !== 1) return false;
    db.query(
      'INSERT INTO page_steps (ladder_id, level, at, by_name, night, people, unstaffed) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [ladderId, from + 1, step.at, step.by, step.night ? 1 : 0, JSON.stringify(step.people), JSON.stringify(step.unstaffed)],
    );
    if (list.length)
      db.query(
        `INSERT INTO page_messages (id, ladder_id, level, channel, type, person, body, state, attempts, next_at, created_at)
         SELECT m.id, $1, $2, m.channel, m.type, m.person, m.body, 'pending', 0, $3, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY
           AS m(id, channel, type, person, body, n)
         ORDER BY m.n
         ON CONFLICT (id) DO NOTHING`,
        [
          ladderId,
          from + 1,
          step.at,
          list.map((m) => m.id),
          list.map((m) => m.channel),
          list.map((m) => m.type),
          list.map((m) => m.person),
          list.map((m) => m.body),
        ],
      );
    return true;
  });

  const addComms = db.transaction((c: CommsRow, list: NewMessage[]): boolean => {
    const added = db.query(
      `INSERT INTO page_comms (id, kind, incident_id, phase, by_name, login, at, console, none_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [c.id, c.kind, c.incidentId, c.phase, c.by, c.login, c.at, c.console, c.none],
    ).rowCount;
    if (added !== 1) return false;
    if (list.length)
      db.query(
        `INSERT INTO page_messages (id, comms_id, level, channel, type, person, body, state, attempts, max_attempts, next_at, created_at)
         SELECT m.id, $1, 0, m.channel, m.type, m.person, m.body, 'pending', 0, m.max_attempts, $2, $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) WITH ORDINALITY
           AS m(id, channel, type, person, body, max_attempts, n)
         ORDER BY m.n
         ON CONFLICT (id) DO NOTHING`,
        [
          c.id,
          c.at,
          list.map((m) => m.id),
          list.map((m) => m.channel),
          list.map((m) => m.type),
          list.map((m) => m.person),
          list.map((m) => m.body),
          list.map((m) => m.maxAttempts ?? null),
        ],
      );
    return true;
  });

  return {
    openLadders: () => ladders(`SELECT ${LADDER_COLS} FROM page_ladders WHERE stopped_at IS NULL ORDER BY started_at, id`),
    latestLadder: (fp) =>
      ladders(`SELECT ${LADDER_COLS} FROM page_ladders WHERE fingerprint = $1 ORDER BY started_at DESC, rowid DESC LIMIT 1`, [
        fp,
      ])[0] ?? null,
    ladder: (id) => ladders(`SELECT ${LADDER_COLS} FROM page_ladders WHERE id = $1`, [id])[0] ?? null,
    startLadder: (r) =>
      db.query(
        `INSERT INTO page_ladders (id, fingerprint, roster_id, policy_id, started_at, level, level_at)
         VALUES ($1, $2, $3, $4, $5, 0, $5) ON CONFLICT DO NOTHING`,
        [r.id, r.fingerprint, r.rosterId, r.policyId, r.startedAt],
      ).rowCount === 1,
    page: (ladderId, from, step, list) => page(ladderId, from, step, list),
    stop: (id, reason, at) =>
      db.query('UPDATE page_ladders SET stopped_at = $1, stop_reason = $2 WHERE id = $3 AND stopped_at IS NULL', [
        at,
        reason.slice(0, 300),
        id,
      ]).rowCount === 1,
    steps: (id) =>
      db
        .query<StepSql>(
          'SELECT ladder_id, level, at, by_name, night, people, unstaffed FROM page_steps WHERE ladder_id = $1 ORDER BY level',
          [id],
        )
        .rows.map(toStep),
    messages: (id) => messages(`SELECT ${MESSAGE_COLS} FROM page_messages WHERE ladder_id = $1 ORDER BY level, rowid`, [id]),
    dueMessages: (now, limit) =>
      messages(
        `SELECT ${MESSAGE_COLS} FROM page_messages WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, rowid LIMIT $2`,
        [now, limit],
      ),
    nextDue: () => db.query<{ at: number | null }>("SELECT MIN(next_at) AS at FROM page_messages WHERE state = 'pending'").rows[0].at,
    claim: (id, attempts, now, until) =>
      db.query(
        "UPDATE page_messages SET next_at = $1 WHERE id = $2 AND state = 'pending' AND attempts = $3 AND next_at <= $4",
        [until, id, attempts, now],
      ).rowCount === 1,
    markSent: (id, attempts, at) =>
      void db.query("UPDATE page_messages SET state = 'sent', attempts = $1, done_at = $2, last_error = NULL WHERE id = $3", [
        attempts,
        at,
        id,
      ]),
    markRetry: (id, attempts, nextAt, error) =>
      void db.query(
        "UPDATE page_messages SET attempts = $1, next_at = $2, last_error = $3 WHERE id = $4 AND state = 'pending'",
        [attempts, nextAt, error.slice(0, 500), id],
      ),
    markDead: (id, attempts, at, error) =>
      void db.query("UPDATE page_messages SET state = 'dead', attempts = $1, done_at = $2, last_error = $3 WHERE id = $4", [
        attempts,
        at,
        error.slice(0, 500),
        id,
      ]),
    deadLetters: (limit) =>
      messages(`SELECT ${MESSAGE_COLS} FROM page_messages WHERE state = 'dead' ORDER BY done_at DESC, rowid DESC LIMIT $1`, [limit]),
    addComms: (c, list) => addComms(c, list),
    comms: (id) => db.query<CommsSql>(`SELECT ${COMMS_COLS} FROM page_comms WHERE id = $1`, [id]).rows.map(toComms)[0] ?? null,
    commsMessages: (id) => messages(`SELECT ${MESSAGE_COLS} FROM page_messages WHERE comms_id = $1 ORDER BY rowid`, [id]),
    close,
  };
}

/** opens its own connection to the gateway's database, migrated */
export function openPgPagingStore(o: PgStoreOptions): PagingStore {
  const db = new PgSync({ ...o, applicationName: `${o.applicationName ?? 'vigil-gateway'} (paging)` });
  try {
    migratePostgres(db, describePgUrl(o.connectionString), pgGatewayMigrations, (o.now ?? Date.now)());
  } catch (err) {
    db.close();
    throw err;
  }
  return createPgPagingStore(db, () => db.close());
}
