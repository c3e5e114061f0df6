/**
 * The checklist engine: runs of a template version, the step state machine, auto-check pre-filling and
 * due-time notifications. Runs live in SQLite, so a run survives a restart; results reach the platform
 * through the outbox when a run is finished.
 */
import {
  ChecklistRunSchema,
  RunListQuerySchema,
  localize,
  runResult,
  type AutoResult,
  type ChecklistRun,
  type ChecklistTemplate,
  type Evidence,
  type RunListQuery,
  type RunStart,
  type RunStep,
  type RunSummary,
  type RunView,
  type StepState,
  type StepUpdate,
} from '@shared/checklists';
import { parseJson } from '@shared/json';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import type { AutoChecks } from './autochecks';
import { createDeadlineScheduler } from './scheduler';
import type { TemplateRepo } from './templates';
import { coreLanguage, newId, notFound, sendAction } from './util';

/** Who changed a step when no person did (auto-check pre-fill). */
export const AUTO_ACTOR = 'auto-check';

// ---- the step state machine (pure) --------------------------------------------------------------------

/**
 * Applies a person's update to a step. Any state may follow any other (a person can reopen or correct a
 * step), but a finished run is frozen, skipping needs a reason, and every change records who and when.
 */
export function transition(step: RunStep, runState: ChecklistRun['state'], u: Omit<StepUpdate, 'runId' | 'stepId'>, actor: string, now: number): RunStep {
  if (runState !== 'open') throw new ApiError('conflict', 'This run is finished; its steps can no longer change.');
  if (u.state === 'skipped' && !u.note?.trim()) throw new ApiError('bad_arguments', 'Skipping a step needs a reason in the note.');
  const evidence: Evidence | null = u.evidence ? { ...(step.evidence ?? {}), ...u.evidence } : step.evidence;
  return {
    ...step,
    state: u.state,
    note: u.note !== undefined ? u.note || null : step.note,
    evidence: evidence && (evidence.value || evidence.link) ? evidence : null,
    owner: u.owner !== undefined ? u.owner || null : step.owner,
    updatedBy: actor,
    updatedAt: now,
  };
}

/**
 * Pre-fills a step from an auto-check: pass → done, fail → failed, unknown → back to do. A state a person
 * set is theirs: the new reading is recorded next to it but does not overwrite it.
 */
export function applyAuto(step: RunStep, auto: AutoResult): RunStep {
  const byPerson = step.updatedBy !== null && step.updatedBy !== AUTO_ACTOR;
  if (byPerson) return { ...step, auto };
  const state: StepState = auto.outcome === 'pass' ? 'done' : auto.outcome === 'fail' ? 'failed' : 'todo';
  return { ...step, auto, state, updatedBy: AUTO_ACTOR, updatedAt: auto.checkedAt };
}

// ---- storage --------------------------------------------------------------------------------------------

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

const toRunHead = (r: RunRow): Omit<ChecklistRun, 'steps'> => ({
  id: r.id,
  templateId: r.template_id,
  templateVersion: r.template_version,
  kind: r.kind,
  title: parseJson<ChecklistRun['title']>(r.title).value ?? { en: r.template_id, 'zh-CN': r.template_id },
  startedBy: r.started_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  incidentId: r.incident_id,
  state: r.state,
  result: r.result,
  updatedAt: r.updated_at,
});

export interface ChecklistEngineDeps {
  ctx: CoreContext;
  actions: ActionSink;
  templates: TemplateRepo;
  autoChecks: AutoChecks;
}

export function createChecklistEngine({ ctx, actions, templates, autoChecks }: ChecklistEngineDeps) {
  const { db } = ctx;
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

  const changed = (ids: string[]) => ctx.emit('dataChanged', { collection: 'checklists', ids });

  function load(id: string): ChecklistRun | null {
    const r = s.run.get(id) as RunRow | undefined;
    if (!r) return null;
    return { ...toRunHead(r), steps: (s.steps.all(id) as StepRow[]).map(toStep) };
  }

  function view(run: ChecklistRun): RunView {
    // A run synced from another console may come from a template version this desk never received:
    // show it with its step ids rather than not at all.
    const template: ChecklistTemplate = templates.get(run.templateId, run.templateVersion) ?? {
      id: run.templateId,
      version: run.templateVersion,
      kind: run.kind,
      title: run.title,
      sources: [],
      steps: run.steps.map((st) => ({ id: st.stepId, title: { en: st.stepId, 'zh-CN': st.stepId } })),
    };
    return { run, template };
  }

  function mustLoad(id: string): ChecklistRun {
    return load(id) ?? notFound('Checklist run', id);
  }

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

  function writeRun(run: ChecklistRun): void {
    s.insertRun.run({ ...run, title: JSON.stringify(run.title) });
    s.deleteSteps.run(run.id);
    for (const st of run.steps) writeStep(run.id, st);
  }

  /** Re-reads the steps' states after a change and stores the run's overall result. */
  function refreshResult(runId: string, now: number): ChecklistRun {
    const run = mustLoad(runId);
    const result = runResult(run.steps.map((x) => x.state));
    s.touchRun.run(result, now, runId);
    return { ...run, result, updatedAt: now };
  }

  /** Evaluates every auto-check of the run (outside any transaction: checks may await the notifier). */
  async function evaluate(run: ChecklistRun, template: ChecklistTemplate): Promise<ChecklistRun> {
    const specs = new Map(template.steps.map((st) => [st.id, st]));
    const readings: [string, AutoResult][] = [];
    for (const st of run.steps) {
      const check = specs.get(st.stepId)?.autoCheck;
      if (check) readings.push([st.stepId, await autoChecks.evaluate(check, `check:${run.id}:${st.stepId}`)]);
    }
    const now = ctx.clock.now();
    return db.transaction(() => {
      const fresh = mustLoad(run.id);
      if (fresh.state !== 'open') return fresh;
      for (const [stepId, auto] of readings) {
        const st = fresh.steps.find((x) => x.stepId === stepId);
        if (st) writeStep(run.id, applyAuto(st, auto));
      }
      return refreshResult(run.id, now);
    })();
  }

  const scheduler = createDeadlineScheduler(
    ctx.clock,
    () => (s.nextDue.get() as { at: number | null }).at,
    (now) => fireDue(now),
    (err) => ctx.log.log('error', 'checklist.due_failed', { err: String(err) }),
  );

  /** Notifies every step whose due time has passed while still to do, once. */
  function fireDue(now: number): void {
    const rows = s.dueNow.all(now) as {
      run_id: string;
      step_id: string;
      due_at: number;
      template_id: string;
      template_version: number;
      title: string;
      incident_id: string | null;
    }[];
    if (!rows.length) return;
    const lng = coreLanguage(ctx);
    db.transaction(() => {
      for (const r of rows) s.markDue.run(now, r.run_id, r.step_id);
    })();
    for (const r of rows) {
      const step = templates.get(r.template_id, r.template_version)?.steps.find((x) => x.id === r.step_id);
      const runTitle = localize(parseJson<ChecklistRun['title']>(r.title).value ?? { en: r.template_id, 'zh-CN': r.template_id }, lng);
      const late = Math.max(0, Math.round((now - r.due_at) / 60_000));
      const title = lng === 'zh-CN' ? `检查项已超时：${runTitle}` : `Checklist step overdue: ${runTitle}`;
      const body = `${localize(step?.title, lng) || r.step_id}${late > 0 ? (lng === 'zh-CN' ? `（已超时 ${late} 分钟）` : ` (${late} min late)`) : ''}`;
      const urgent = r.incident_id !== null;
      void Promise.resolve(
        ctx.notifier.notify({ tag: `due:${r.run_id}:${r.step_id}`, title, body, urgency: urgent ? 'critical' : 'normal', sticky: urgent }),
      ).catch((err) => ctx.log.log('warn', 'checklist.notify_failed', { err: String(err) }));
    }
    changed([...new Set(rows.map((r) => r.run_id))]);
  }

  return {
    scheduler,

    async start(input: RunStart, actor: string): Promise<RunView> {
      const template = templates.latest(input.templateId) ?? notFound('Checklist template', input.templateId);
      const now = ctx.clock.now();
      const run: ChecklistRun = {
        id: newId(ctx),
        templateId: template.id,
        templateVersion: template.version,
        kind: template.kind,
        title: template.title,
        startedBy: actor,
        startedAt: now,
        finishedAt: null,
        incidentId: input.incidentId ?? null,
        state: 'open',
        result: 'pending',
        updatedAt: now,
        steps: template.steps.map((st, i) => ({
          stepId: st.id,
          position: i,
          state: 'todo',
          owner: null,
          note: null,
          evidence: null,
          auto: null,
          dueAt: st.dueMinutes ? now + Math.round(st.dueMinutes * 60_000) : null,
          dueNotifiedAt: null,
          updatedBy: null,
          updatedAt: null,
        })),
      };
      db.transaction(() => writeRun(run))();
      ctx.audit(actor, 'checklist.start', { runId: run.id, templateId: template.id, version: template.version });
      const evaluated = template.steps.some((st) => st.autoCheck) ? await evaluate(run, template) : run;
      scheduler.rearm();
      changed([run.id]);
      return { run: evaluated, template };
    },

    get(id: string): RunView | null {
      const run = load(id);
      return run ? view(run) : null;
    },

    list(query: RunListQuery): RunSummary[] {
      const q = RunListQuerySchema.parse(query);
      const rows = s.list.all({ state: q.state ?? null, templateId: q.templateId ?? null, incidentId: q.incidentId ?? null, limit: q.limit }) as RunRow[];
      return rows.map((r) => {
        const counts: Record<StepState, number> = { todo: 0, done: 0, skipped: 0, failed: 0 };
        for (const c of s.counts.all(r.id) as { state: StepState; n: number }[]) counts[c.state] = c.n;
        return { ...toRunHead(r), counts };
      });
    },

    setStep(u: StepUpdate, actor: string): RunView {
      const now = ctx.clock.now();
      const run = db.transaction(() => {
        const current = mustLoad(u.runId);
        const step = current.steps.find((x) => x.stepId === u.stepId) ?? notFound('Step', `${u.runId}/${u.stepId}`);
        writeStep(u.runId, transition(step, current.state, u, actor, now));
        return refreshResult(u.runId, now);
      })();
      ctx.audit(actor, 'checklist.step', { runId: u.runId, stepId: u.stepId, state: u.state });
      scheduler.rearm();
      changed([u.runId]);
      return view(run);
    },

    async recheck(id: string): Promise<RunView> {
      const run = mustLoad(id);
      if (run.state !== 'open') throw new ApiError('conflict', 'This run is finished; its checks are kept as they were.');
      const v = view(run);
      const updated = await evaluate(run, v.template);
      changed([id]);
      return { run: updated, template: v.template };
    },

    finish(id: string, actor: string): RunView {
      const now = ctx.clock.now();
      const run = db.transaction(() => {
        const current = mustLoad(id);
        if (current.state !== 'open') throw new ApiError('conflict', 'This run is already finished.');
        const open = current.steps.filter((x) => x.state === 'todo');
        if (open.length)
          throw new ApiError(
            'conflict',
            `${open.length} step(s) are still to do (${open.map((x) => x.stepId).join(', ')}): mark each done, failed, or skipped with a reason.`,
          );
        const result = runResult(current.steps.map((x) => x.state));
        s.finish.run(now, result, now, id);
        const finished: ChecklistRun = { ...current, state: 'finished', finishedAt: now, result, updatedAt: now };
        sendAction(ctx, actions, 'checklist.result', { runId: id, templateId: current.templateId, result: finished }, actor);
        return finished;
      })();
      ctx.audit(actor, 'checklist.finish', { runId: id, result: run.result });
      scheduler.rearm();
      changed([id]);
      return view(run);
    },

    /** Stores a run from the platform (another console's, or ours echoed back); the newer copy wins. */
    applyRemote(data: unknown): void {
      const run = ChecklistRunSchema.parse(data);
      const local = s.run.get(run.id) as RunRow | undefined;
      if (local && local.updated_at >= run.updatedAt) return;
      writeRun(run);
      scheduler.rearm();
    },

    /** every run bound to an incident (war-room, response flow) */
    runIdsFor(incidentId: string): string[] {
      return (s.list.all({ state: null, templateId: null, incidentId, limit: 100 }) as RunRow[]).map((r) => r.id);
    },
  };
}
export type ChecklistEngine = ReturnType<typeof createChecklistEngine>;
