/**
 * Ticking through a runbook's diagnosis and mitigation steps: a step run. The run and its steps are stored
 * in the tables the shift checklists use (template_id 'runbook:<id>', template_version = the runbook's
 * updatedAt, so a recorded run names the revision that was followed). Finishing the run sends it to the
 * platform as a `checklist.result` action, in the same transaction that closes it: either both happen or
 * neither does.
 */
import { v7 as uuidv7 } from 'uuid';
import { ApiError } from '@shared/rpc';
import { RUNBOOK_TEMPLATE_PREFIX, type Runbook, type RunbookStepRun } from '@shared/runbooks';
import { parseRunbook, type RunbookStep } from '@shared/runbook-template';
import type { ActionSink, CoreContext } from '../context';

interface RunRow {
  id: string;
  template_id: string;
  template_version: number;
  title: string;
  started_by: string;
  started_at: number;
  finished_at: number | null;
  state: 'open' | 'finished';
  outcome: 'recorded' | 'abandoned' | null;
  action_id: string | null;
}

interface StepRow {
  step_id: string;
  state: 'todo' | 'done';
  updated_by: string | null;
  updated_at: number | null;
}

export const templateIdOf = (runbookId: string) => `${RUNBOOK_TEMPLATE_PREFIX}${runbookId}`;

export function createStepTicks(
  ctx: CoreContext,
  actions: ActionSink,
  getRunbook: (id: string) => Runbook | null,
) {
  const db = ctx.db;
  const s = {
    latest: db.prepare<[string], RunRow>(
      `SELECT r.*, rr.outcome, rr.action_id FROM checklist_runs r LEFT JOIN runbook_runs rr ON rr.run_id = r.id
       WHERE r.template_id = ? ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1`,
    ),
    steps: db.prepare<[string], StepRow>(
      'SELECT step_id, state, updated_by, updated_at FROM checklist_steps WHERE run_id = ? ORDER BY position',
    ),
    insertRun:
      db.prepare(`INSERT INTO checklist_runs (id, template_id, template_version, title, started_by, started_at, state)
      VALUES (?, ?, ?, ?, ?, ?, 'open')`),
    insertRunMeta: db.prepare('INSERT INTO runbook_runs (run_id, runbook_id) VALUES (?, ?)'),
    insertStep: db.prepare(`INSERT INTO checklist_steps (run_id, step_id, position, state) VALUES (?, ?, ?, ?)
      ON CONFLICT(run_id, step_id) DO NOTHING`),
    setStep: db.prepare(
      'UPDATE checklist_steps SET state = ?, updated_by = ?, updated_at = ? WHERE run_id = ? AND step_id = ?',
    ),
    close: db.prepare("UPDATE checklist_runs SET state = 'finished', finished_at = ? WHERE id = ?"),
    setOutcome: db.prepare('UPDATE runbook_runs SET outcome = ?, action_id = ?, note = ? WHERE run_id = ?'),
  };

  const view = (run: RunRow, runbookId: string): RunbookStepRun => ({
    runId: run.id,
    runbookId,
    state: run.state === 'open' ? 'open' : (run.outcome ?? 'recorded'),
    startedBy: run.started_by,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    actionId: run.action_id,
    steps: s.steps
      .all(run.id)
      .map((r) => ({ stepId: r.step_id, state: r.state, updatedBy: r.updated_by, updatedAt: r.updated_at })),
  });

  function runbookAndSteps(runbookId: string): { runbook: Runbook; steps: RunbookStep[] } {
    const runbook = getRunbook(runbookId);
    if (!runbook) throw new ApiError('not_found', `No cached runbook "${runbookId}".`);
    return { runbook, steps: parseRunbook(runbook.markdown).steps };
  }

  const openRun = (runbookId: string): RunRow | null => {
    const r = s.latest.get(templateIdOf(runbookId));
    return r && r.state === 'open' ? r : null;
  };

  return {
    /** the open run, or the last one finished (the page shows when the steps were last recorded) */
    current(runbookId: string): RunbookStepRun | null {
      const r = s.latest.get(templateIdOf(runbookId));
      return r ? view(r, runbookId) : null;
    },

    setStep(runbookId: string, stepId: string, done: boolean): RunbookStepRun {
      const { runbook, steps } = runbookAndSteps(runbookId);
      if (!steps.some((st) => st.id === stepId))
        throw new ApiError(
          'not_found',
          `Step "${stepId}" is not in runbook "${runbook.title}" (it may have changed since the page was opened; reload it).`,
        );
      const actor = ctx.operator();
      const now = ctx.clock.now();
      return db.transaction(() => {
        let run = openRun(runbookId);
        if (!run) {
          const id = uuidv7({ msecs: now });
          s.insertRun.run(id, templateIdOf(runbookId), runbook.updatedAt, runbook.title, actor, now);
          s.insertRunMeta.run(id, runbookId);
          run = s.latest.get(templateIdOf(runbookId))!;
        }
        // a runbook updated mid-run may have new steps: they join the run as todo
        steps.forEach((st, i) => s.insertStep.run(run.id, st.id, i, 'todo'));
        s.setStep.run(done ? 'done' : 'todo', actor, now, run.id, stepId);
        return view(run, runbookId);
      })();
    },

    finish(runbookId: string, note: string | undefined): RunbookStepRun {
      const { runbook, steps } = runbookAndSteps(runbookId);
      const actor = ctx.operator();
      const now = ctx.clock.now();
      return db.transaction(() => {
        const run = openRun(runbookId);
        if (!run)
          throw new ApiError(
            'no_run',
            `No steps of "${runbook.title}" have been ticked yet; there is nothing to record.`,
          );
        const state = new Map(s.steps.all(run.id).map((r) => [r.step_id, r]));
        const recorded = steps.map((st) => {
          const r = state.get(st.id);
          return {
            id: st.id,
            section: st.section,
            text: st.text,
            state: r?.state ?? 'todo',
            updatedBy: r?.updated_by ?? null,
            updatedAt: r?.updated_at ?? null,
          };
        });
        s.close.run(now, run.id);
        const entry = actions.submit(
          'checklist.result',
          {
            runId: run.id,
            templateId: templateIdOf(runbookId),
            result: {
              kind: 'runbook',
              runbookId,
              runbookTitle: runbook.title,
              runbookUpdatedAt: runbook.updatedAt,
              startedBy: run.started_by,
              startedAt: run.started_at,
              finishedBy: actor,
              finishedAt: now,
              note: note?.trim() || null,
              done: recorded.filter((r) => r.state === 'done').length,
              total: recorded.length,
              steps: recorded,
            },
          },
          actor,
        );
        s.setOutcome.run('recorded', entry.id, note?.trim() || null, run.id);
        ctx.audit(actor, 'runbook.checklist_recorded', { runbookId, runId: run.id, actionId: entry.id });
        return view(s.latest.get(templateIdOf(runbookId))!, runbookId);
      })();
    },

    abandon(runbookId: string): RunbookStepRun | null {
      const run = openRun(runbookId);
      if (!run) return null;
      db.transaction(() => {
        s.close.run(ctx.clock.now(), run.id);
        s.setOutcome.run('abandoned', null, null, run.id);
      })();
      return view(s.latest.get(templateIdOf(runbookId))!, runbookId);
    },
  };
}
