/** Action ids, their outcomes and their in-doubt attempts, on SQLite (tables actions, action_attempts, audit). */
import type { SqlConnection } from '@node/sql';
import type { ActionLog, ActionRecord, StoredResult, UsedAction } from '../store';

export type SqliteActionLog = Omit<ActionLog, 'applyProcessAction'>;

export function createActionLog(db: SqlConnection): SqliteActionLog {
  const s = {
    action: db.prepare('SELECT ok, error_code, error_message FROM actions WHERE id = ?'),
    recordAction:
      db.prepare(`INSERT INTO actions (id, type, payload, actor, login, client_id, received_at, ok, error_code, error_message)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    audit: db.prepare('INSERT INTO audit (at, actor, login, action, detail) VALUES (?, ?, ?, ?, ?)'),
    beginAttempt:
      db.prepare(`INSERT INTO action_attempts (id, type, actor, login, client_id, started_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET attempts = action_attempts.attempts + 1 RETURNING attempts`),
    usedAction: db.prepare('SELECT type, payload FROM actions WHERE id = ?'),
    usedAttempt: db.prepare('SELECT type, payload FROM action_attempts WHERE id = ?'),
    endAttempt: db.prepare('DELETE FROM action_attempts WHERE id = ?'),
    attemptCount: db.prepare('SELECT count(*) AS n FROM action_attempts'),
  };

  return {
    storedResult(id: string): StoredResult | null {
      const r = s.action.get(id) as { ok: number; error_code: string | null; error_message: string | null } | undefined;
      if (!r) return null;
      return { ok: !!r.ok, error: r.ok ? null : { code: r.error_code ?? 'rejected', message: r.error_message ?? '' } };
    },
    actionOf(id: string): UsedAction | null {
      return ((s.usedAction.get(id) ?? s.usedAttempt.get(id)) as UsedAction | undefined) ?? null;
    },
    beginAction(a: ActionRecord): { resumed: boolean } {
      const row = s.beginAttempt.get(a.id, a.type, a.actor, a.login, a.clientId, a.at, JSON.stringify(a.payload ?? null)) as {
        attempts: number;
      };
      return { resumed: row.attempts > 1 };
    },
    unfinishedActions: (): number => (s.attemptCount.get() as { n: number }).n,
    recordAction: db.transaction((a: ActionRecord, r: StoredResult) => {
      s.recordAction.run(
        a.id,
        a.type,
        JSON.stringify(a.payload ?? null),
        a.actor,
        a.login,
        a.clientId,
        a.at,
        r.ok ? 1 : 0,
        r.error?.code ?? null,
        r.error?.message ?? null,
      );
      s.audit.run(a.at, a.actor, a.login, a.type, JSON.stringify({ id: a.id, ok: r.ok, error: r.error?.code ?? null }));
      s.endAttempt.run(a.id);
    }),
  };
}
