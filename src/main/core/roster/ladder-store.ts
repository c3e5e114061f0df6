/**
 * Escalation ladders in SQLite: one row per subject (an alert or an incident) with the level reached,
 * and the steps taken (started, reminded, escalated, stopped, action_failed) as an append-only log.
 * The guarded updates (`advance` only moves up, `stop` only stops a running ladder) are what make a move
 * happen once, even if two passes race.
 */
import type { EscalationSubjectKind, RosterPerson } from '@shared/roster';
import type { DB } from '@node/sqlite';

export interface LadderRow {
  subject_kind: EscalationSubjectKind;
  subject_id: string;
  roster_id: string | null;
  policy_id: string;
  started_at: number;
  level: number;
  level_at: number;
  stopped_at: number | null;
  stop_reason: string | null;
  reminded_at: number | null;
}

export type LadderKey = Pick<LadderRow, 'subject_kind' | 'subject_id'>;
export type StepKind = 'started' | 'reminded' | 'escalated' | 'stopped' | 'action_failed';

export function createLadderStore(db: DB) {
  const s = {
    open: db.prepare('SELECT * FROM escalations WHERE stopped_at IS NULL'),
    get: db.prepare('SELECT * FROM escalations WHERE subject_kind = ? AND subject_id = ?'),
    begin: db.prepare(`INSERT INTO escalations (subject_kind, subject_id, roster_id, policy_id, started_at, level, level_at, stopped_at, stop_reason, reminded_at)
      VALUES (@kind, @id, @rosterId, @policyId, @startedAt, 0, @startedAt, NULL, NULL, NULL)
      ON CONFLICT(subject_kind, subject_id) DO UPDATE SET roster_id = excluded.roster_id, policy_id = excluded.policy_id,
        started_at = excluded.started_at, level = 0, level_at = excluded.started_at, stopped_at = NULL, stop_reason = NULL, reminded_at = NULL`),
    repolicy: db.prepare('UPDATE escalations SET roster_id = ?, policy_id = ?, level = MIN(level, ?) WHERE subject_kind = ? AND subject_id = ?'),
    // The `level < ?` guard is what makes a move happen once, even if two passes race.
    advance: db.prepare(`UPDATE escalations SET level = @level, level_at = @levelAt, reminded_at = @now
      WHERE subject_kind = @kind AND subject_id = @id AND stopped_at IS NULL AND level < @level`),
    reminded: db.prepare('UPDATE escalations SET reminded_at = ? WHERE subject_kind = ? AND subject_id = ?'),
    stop: db.prepare('UPDATE escalations SET stopped_at = ?, stop_reason = ? WHERE subject_kind = ? AND subject_id = ? AND stopped_at IS NULL'),
    step: db.prepare('INSERT INTO escalation_steps (subject_kind, subject_id, at, kind, level, people, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    recent: db.prepare('SELECT * FROM escalations WHERE stopped_at IS NULL OR stopped_at >= ? ORDER BY started_at DESC LIMIT 500'),
  };

  return {
    /** every running ladder */
    open: (): LadderRow[] => s.open.all() as LadderRow[],
    get: (kind: EscalationSubjectKind, id: string): LadderRow | undefined => s.get.get(kind, id) as LadderRow | undefined,
    /** (re)starts the ladder of a subject at level 0 */
    begin(kind: EscalationSubjectKind, id: string, rosterId: string, policyId: string, startedAt: number): LadderRow {
      s.begin.run({ kind, id, rosterId, policyId, startedAt });
      return s.get.get(kind, id) as LadderRow;
    },
    /** follows another policy, keeping the start; the level is capped at the new policy's last */
    repolicy: (row: LadderKey, rosterId: string, policyId: string, levels: number) =>
      void s.repolicy.run(rosterId, policyId, levels, row.subject_kind, row.subject_id),
    /** moves a running ladder up to `level`; false when it already was there (or stopped) */
    advance: (row: LadderKey, level: number, levelAt: number, now: number): boolean =>
      s.advance.run({ level, levelAt, now, kind: row.subject_kind, id: row.subject_id }).changes > 0,
    reminded: (row: LadderKey, now: number) => void s.reminded.run(now, row.subject_kind, row.subject_id),
    /** stops a running ladder; false when it was not running */
    stop: (row: LadderKey, reason: string, now: number): boolean => s.stop.run(now, reason, row.subject_kind, row.subject_id).changes > 0,
    step: (row: LadderKey, at: number, kind: StepKind, level: number, people: RosterPerson[], detail = '') =>
      void s.step.run(row.subject_kind, row.subject_id, at, kind, level, JSON.stringify(people.map((p) => p.id)), detail),
    /** running ladders and those stopped since `since`, newest first */
    recent: (since: number): LadderRow[] => s.recent.all(since) as LadderRow[],
  };
}
export type LadderStore = ReturnType<typeof createLadderStore>;
