/** Checklist runs and their steps in SQLite (one row per run, one per step), and the due-step reads. */
import type { AutoResult, ChecklistRun, Evidence, RunListQuery, RunStep, RunSummary, StepState } from '@shared/checklists';
import { parseJson } from '@shared/json';
import type { DB } from '@node/sqlite';

type RunRow = {
  id: string;
  template_id: string;
  template_version: number;
  kind: ChecklistRun['kind'];
  title: string;
  started_by: string;
  started_at: number;
  finished_at: number | null;
  incident_id: string | null;
  state: ChecklistRun['state'];
  result: ChecklistRun['result'];
  updated_at: number;
};
type StepRow = {
  run_id: string;
  step_id: string;
  position: number;
  state: StepState;
  owner: string | null;
  note: string | null;
  evidence: string | null;
  auto_value: string | null;
  due_at: number | null;
  due_notified_at: number | null;
  updated_by: string | null;
  updated_at: number | null;
};

/** A step past its due time, still to do and not yet notified, with what the notification names. */
export interface DueStep {
  run_id: string;
  step_id: string;
  due_at: number;
  template_id: string;
  template_version: number;
  /** the run's title, as stored (JSON { en, zh-CN }) */
  title: string;
  incident_id: string | null;
}

const toStep = (r: StepRow): RunStep => ({
  stepId: r.step_id,
  position: r.position,
  state: r.state,
  owner: r.owner,
  note: r.note,
  evidence: parseJson<Evidence>(r.evidence).value ?? null,
  auto: parseJson<AutoResult>(r.auto_value).value ?? null,
  dueAt: r.due_at,
  dueNotifiedAt: r.due_notified_at,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

/** A run's title as stored; a row from before titles were kept reads as its template id. */
export const storedTitle = (title: string, templateId: string): ChecklistRun['title'] => parseJson<ChecklistRun['title']>(title).value ?? { en: templateId, 'zh-CN': templateId };

const toRunHead = (r: RunRow): Omit<ChecklistRun, 'steps'> => ({
  id: r.id,
  templateId: r.template_id,
  templateVersion: r.template_version,
  kind: r.kind,
  title: storedTitle(r.title, r.template_id),
  startedBy: r.started_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  incidentId: r.incident_id,
  state: r.state,
  result: r.result,
  updatedAt: r.updated_at,
});

export function createRunStore(db: DB) {
  const s = {
    insertRun: db.prepare(`INSERT INTO checklist_runs (id, template_id, template_version, kind, title, started_by, started_at,
        finished_at, incident_id, state, result, updated_at)
      VALUES (@id, @templateId, @templateVersion, @kind, @title, @startedBy, @startedAt, @finishedAt, @incidentId, @state, @result, @updatedAt)
      ON CONFLICT(id) DO UPDATE SET template_id = excluded.template_id, template_version = excluded.template_version,
        kind = excluded.kind, title = excluded.title, started_by = excluded.started_by, started_at = excluded.started_at,
        finished_at = excluded.finished_at, incident_id = excluded.incident_id, state = excluded.state,
        result = excluded.result, updated_at = excluded.updated_at`),
    upsertStep: db.prepare(`INSERT INTO checklist_steps (run_id, step_id, position, state, owner, note, evidence, auto_value, due_at,
        due_notified_at, updated_by, updated_at)
      VALUES (@runId, @stepId, @position, @state, @owner, @note, @evidence, @auto, @dueAt, @dueNotifiedAt, @updatedBy, @updatedAt)
      ON CONFLICT(run_id, step_id) DO UPDATE SET position = excluded.position, state = excluded.state, owner = excluded.owner,
        note = excluded.note, evidence = excluded.evidence, auto_value = excluded.auto_value, due_at = excluded.due_at,
        due_notified_at = excluded.due_notified_at, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
    deleteSteps: db.prepare('DELETE FROM checklist_steps WHERE run_id = ?'),
    run: db.prepare('SELECT * FROM checklist_runs WHERE id = ?'),
    steps: db.prepare('SELECT * FROM checklist_steps WHERE run_id = ? ORDER BY position'),
    list: db.prepare(`SELECT * FROM checklist_runs
      WHERE (@state IS NULL OR state = @state) AND (@templateId IS NULL OR template_id = @templateId)
        AND (@incidentId IS NULL OR incident_id = @incidentId)
      ORDER BY started_at DESC LIMIT @limit`),
    counts: db.prepare('SELECT state, COUNT(*) AS n FROM checklist_steps WHERE run_id = ? GROUP BY state'),
    touchRun: db.prepare('UPDATE checklist_runs SET result = ?, updated_at = ? WHERE id = ?'),
    finish: db.prepare("UPDATE checklist_runs SET state = 'finished', finished_at = ?, result = ?, updated_at = ? WHERE id = ?"),
    nextDue: db.prepare(`SELECT MIN(s.due_at) AS at FROM checklist_steps s JOIN checklist_runs r ON r.id = s.run_id
      WHERE r.state = 'open' AND s.state = 'todo' AND s.due_at IS NOT NULL AND s.due_notified_at IS NULL`),
    dueNow: db.prepare(`SELECT s.run_id, s.step_id, s.due_at, r.template_id, r.template_version, r.title, r.incident_id
      FROM checklist_steps s JOIN checklist_runs r ON r.id = s.run_id
      WHERE r.state = 'open' AND s.state = 'todo' AND s.due_at IS NOT NULL AND s.due_notified_at IS NULL AND s.due_at <= ?
      ORDER BY s.due_at`),
    markDue: db.prepare('UPDATE checklist_steps SET due_notified_at = ? WHERE run_id = ? AND step_id = ?'),
  };

  function writeStep(runId: string, st: RunStep): void {
    s.upsertStep.run({
      runId,
      stepId: st.stepId,
      position: st.position,
      state: st.state,
      owner: st.owner,
      note: st.note,
      evidence: st.evidence ? JSON.stringify(st.evidence) : null,
      auto: st.auto ? JSON.stringify(st.auto) : null,
      dueAt: st.dueAt,
      dueNotifiedAt: st.dueNotifiedAt,
      updatedBy: st.updatedBy,
      updatedAt: st.updatedAt,
    });
  }

  const heads = (q: { state: string | null; templateId: string | null; incidentId: string | null; limit: number }) => s.list.all(q) as RunRow[];

  return {
    load(id: string): ChecklistRun | null {
      const r = s.run.get(id) as RunRow | undefined;
      if (!r) return null;
      return { ...toRunHead(r), steps: (s.steps.all(id) as StepRow[]).map(toStep) };
    },
    /** when the stored copy of a run last changed (undefined: not stored) */
    updatedAt: (id: string): number | undefined => (s.run.get(id) as RunRow | undefined)?.updated_at,
    /** the run and all its steps (steps it no longer has are dropped) */
    writeRun(run: ChecklistRun): void {
      s.insertRun.run({ ...run, title: JSON.stringify(run.title) });
      s.deleteSteps.run(run.id);
      for (const st of run.steps) writeStep(run.id, st);
    },
    writeStep,
    setResult: (runId: string, result: ChecklistRun['result'], now: number) => void s.touchRun.run(result, now, runId),
    finish: (runId: string, result: ChecklistRun['result'], now: number) => void s.finish.run(now, result, now, runId),
    summaries(q: Required<Pick<RunListQuery, 'limit'>> & Pick<RunListQuery, 'state' | 'templateId' | 'incidentId'>): RunSummary[] {
      return heads({ state: q.state ?? null, templateId: q.templateId ?? null, incidentId: q.incidentId ?? null, limit: q.limit }).map((r) => {
        const counts: Record<StepState, number> = { todo: 0, done: 0, skipped: 0, failed: 0 };
        for (const c of s.counts.all(r.id) as { state: StepState; n: number }[]) counts[c.state] = c.n;
        return { ...toRunHead(r), counts };
      });
    },
    /** every run bound to an incident (war-room, response flow) */
    runIdsFor: (incidentId: string): string[] => heads({ state: null, templateId: null, incidentId, limit: 100 }).map((r) => r.id),
    nextDue: (): number | null => (s.nextDue.get() as { at: number | null }).at,
    dueNow: (now: number): DueStep[] => s.dueNow.all(now) as DueStep[],
    markDue: (runId: string, stepId: string, now: number) => void s.markDue.run(now, runId, stepId),
  };
}
export type RunStore = ReturnType<typeof createRunStore>;
