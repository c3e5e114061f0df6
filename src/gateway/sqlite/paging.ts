/**
 * The PagingStore (paging/store.ts) on SQLite: tables page_ladders, page_steps, page_messages (migration 6)
 * and page_comms (migration 7) of gateway.db (schema.ts). All of its SQL is here. It opens its own connection (WAL), like
 * the UserStore; each method is one transaction. The row types and their mapping are shared with the
 * PostgreSQL PagingStore (postgres/paging.ts), whose tables have the same columns.
 */
import { openDatabase, type DB } from '@node/sqlite';
import type { CommsRow, LadderRow, MessageRow, MessageState, NewMessage, PagingStore, StepRow } from '../paging/store';
import { gatewayMigrations } from './schema';

export interface LadderSql {
  id: string;
  fingerprint: string;
  roster_id: string;
  policy_id: string;
  started_at: number;
  level: number;
  level_at: number;
  stopped_at: number | null;
  stop_reason: string | null;
}
export interface StepSql {
  ladder_id: string;
  level: number;
  at: number;
  by_name: string | null;
  night: number;
  people: string;
  unstaffed: string;
}
export interface MessageSql {
  id: string;
  ladder_id: string | null;
  comms_id: string | null;
  max_attempts: number | null;
  level: number;
  channel: string;
  type: MessageRow['type'];
  person: string | null;
  body: string;
  state: MessageState;
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
}

export const toLadder = (r: LadderSql): LadderRow => ({
  id: r.id,
  fingerprint: r.fingerprint,
  rosterId: r.roster_id,
  policyId: r.policy_id,
  startedAt: r.started_at,
  level: r.level,
  levelAt: r.level_at,
  stoppedAt: r.stopped_at,
  stopReason: r.stop_reason,
});
export const toStep = (r: StepSql): StepRow => ({
  ladderId: r.ladder_id,
  level: r.level,
  at: r.at,
  by: r.by_name,
  night: r.night === 1,
  people: JSON.parse(r.people) as StepRow['people'],
  unstaffed: JSON.parse(r.unstaffed) as string[],
});
export interface CommsSql {
  id: string;
  kind: CommsRow['kind'];
  incident_id: string | null;
  phase: CommsRow['phase'];
  by_name: string;
  login: string | null;
  at: number;
  console: CommsRow['console'];
  none_reason: CommsRow['none'];
}
export const toComms = (r: CommsSql): CommsRow => ({
  id: r.id,
  kind: r.kind,
  incidentId: r.incident_id,
  phase: r.phase,
  by: r.by_name,
  login: r.login,
  at: r.at,
  console: r.console,
  none: r.none_reason,
});

export const toMessage = (r: MessageSql): MessageRow => ({
  id: r.id,
  ladderId: r.ladder_id,
  commsId: r.comms_id,
  maxAttempts: r.max_attempts,
  level: r.level,
  channel: r.channel,
  type: r.type,
  person: r.person,
  body: r.body,
  state: r.state,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  doneAt: r.done_at,
});

function statements(db: DB) {
  return {
    open: db.prepare('SELECT * FROM page_ladders WHERE stopped_at IS NULL ORDER BY started_at, id'),
    latest: db.prepare('SELECT * FROM page_ladders WHERE fingerprint = ? ORDER BY started_at DESC, rowid DESC LIMIT 1'),
    ladder: db.prepare('SELECT * FROM page_ladders WHERE id = ?'),
    start: db.prepare(
      `INSERT INTO page_ladders (id, fingerprint, roster_id, policy_id, started_at, level, level_at)
       SELECT ?, ?, ?, ?, ?, 0, ? WHERE NOT EXISTS (SELECT 1 FROM page_ladders WHERE fingerprint = ? AND stopped_at IS NULL)`,
    ),
    advance: db.prepare('UPDATE page_ladders SET level = ?, level_at = ? WHERE id = ? AND level = ? AND stopped_at IS NULL'),
    stop: db.prepare('UPDATE page_ladders SET stopped_at = ?, stop_reason = ? WHERE id = ? AND stopped_at IS NULL'),
    insertStep: db.prepare(
      'INSERT INTO page_steps (ladder_id, level, at, by_name, night, people, unstaffed) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    steps: db.prepare('SELECT * FROM page_steps WHERE ladder_id = ? ORDER BY level'),
    insertMessage: db.prepare(
      `INSERT OR IGNORE INTO page_messages (id, ladder_id, level, channel, type, person, body, state, attempts, next_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    ),
    messages: db.prepare('SELECT * FROM page_messages WHERE ladder_id = ? ORDER BY level, rowid'),
    due: db.prepare("SELECT * FROM page_messages WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, rowid LIMIT ?"),
    nextDue: db.prepare("SELECT MIN(next_at) AS at FROM page_messages WHERE state = 'pending'"),
    claim: db.prepare("UPDATE page_messages SET next_at = ? WHERE id = ? AND state = 'pending' AND attempts = ? AND next_at <= ?"),
    sent: db.prepare("UPDATE page_messages SET state = 'sent', attempts = ?, done_at = ?, last_error = NULL WHERE id = ?"),
    retry: db.prepare("UPDATE page_messages SET attempts = ?, next_at = ?, last_error = ? WHERE id = ? AND state = 'pending'"),
    dead: db.prepare("UPDATE page_messages SET state = 'dead', attempts = ?, done_at = ?, last_error = ? WHERE id = ?"),
    deadLetters: db.prepare("SELECT * FROM page_messages WHERE state = 'dead' ORDER BY done_at DESC, rowid DESC LIMIT ?"),
    insertComms: db.prepare(
      `INSERT OR IGNORE INTO page_comms (id, kind, incident_id, phase, by_name, login, at, console, none_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertCommsMessage: db.prepare(
      `INSERT OR IGNORE INTO page_messages (id, comms_id, level, channel, type, person, body, state, attempts, max_attempts, next_at, created_at)
       VALUES (?, ?, 0, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    ),
    comms: db.prepare('SELECT * FROM page_comms WHERE id = ?'),
    commsMessages: db.prepare('SELECT * FROM page_messages WHERE comms_id = ? ORDER BY rowid'),
  };
}

export function openPagingStore(file: string): PagingStore {
  const db = openDatabase(file, { migrations: gatewayMigrations });
  const s = statements(db);
  const page = db.transaction((ladderId: string, from: number, step: StepRow, messages: NewMessage[]) => {
    if (s.advance.run(from + 1, step.at, ladderId, from).changes !== 1) return false;
    s.insertStep.run(ladderId, from + 1, step.at, step.by, step.night ? 1 : 0, JSON.stringify(step.people), JSON.stringify(step.unstaffed));
    for (const m of messages)
      s.insertMessage.run(m.id, ladderId, from + 1, m.channel, m.type, m.person, m.body, step.at, step.at);
    return true;
  });
  const addComms = db.transaction((c: CommsRow, messages: NewMessage[]) => {
    if (s.insertComms.run(c.id, c.kind, c.incidentId, c.phase, c.by, c.login, c.at, c.console, c.none).changes !== 1) return false;
    for (const m of messages)
      s.insertCommsMessage.run(m.id, c.id, m.channel, m.type, m.person, m.body, m.maxAttempts ?? null, c.at, c.at);
    return true;
  });
  return {
    openLadders: () => (s.open.all() as LadderSql[]).map(toLadder),
    latestLadder(fp) {
      const r = s.latest.get(fp) as LadderSql | undefined;
      return r ? toLadder(r) : null;
    },
    ladder(id) {
      const r = s.ladder.get(id) as LadderSql | undefined;
      return r ? toLadder(r) : null;
    },
    startLadder: (r) =>
      s.start.run(r.id, r.fingerprint, r.rosterId, r.policyId, r.startedAt, r.startedAt, r.fingerprint).changes === 1,
    page: (ladderId, from, step, messages) => page(ladderId, from, step, messages),
    stop: (id, reason, at) => s.stop.run(at, reason.slice(0, 300), id).changes === 1,
    steps: (id) => (s.steps.all(id) as StepSql[]).map(toStep),
    messages: (id) => (s.messages.all(id) as MessageSql[]).map(toMessage),
    dueMessages: (now, limit) => (s.due.all(now, limit) as MessageSql[]).map(toMessage),
    nextDue: () => (s.nextDue.get() as { at: number | null }).at,
    claim: (id, attempts, now, until) => s.claim.run(until, id, attempts, now).changes === 1,
    markSent: (id, attempts, at) => void s.sent.run(attempts, at, id),
    markRetry: (id, attempts, nextAt, error) => void s.retry.run(attempts, nextAt, error.slice(0, 500), id),
    markDead: (id, attempts, at, error) => void s.dead.run(attempts, at, error.slice(0, 500), id),
    deadLetters: (limit) => (s.deadLetters.all(limit) as MessageSql[]).map(toMessage),
    addComms: (c, messages) => addComms(c, messages),
    comms(id) {
      const r = s.comms.get(id) as CommsSql | undefined;
      return r ? toComms(r) : null;
    },
    commsMessages: (id) => (s.commsMessages.all(id) as MessageSql[]).map(toMessage),
    close: () => db.close(),
  };
}
