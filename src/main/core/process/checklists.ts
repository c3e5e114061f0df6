/**
 * The checklist engine: runs of a template version, the step state machine, auto-check pre-filling and
 * due-time notifications. Runs live in SQLite (checklist-store.ts), so a run survives a restart; due
 * steps are notified by checklist-due.ts; results reach the platform through the outbox when a run is
 * finished.
 */
import {
  AUTO_CHECK_ACTOR,
  ChecklistRunSchema,
  RunListQuerySchema,
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
import type { Language } from '@shared/domain';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import type { AutoChecks } from './autochecks';
import { createDueReminders } from './checklist-due';
import { createRunStore } from './checklist-store';
import type { TemplateRepo } from './templates';
import { notFound, processText } from './texts';
import { newId, sendAction } from './util';

/** Who changed a step when no person did (auto-check pre-fill). */
export const AUTO_ACTOR = AUTO_CHECK_ACTOR;

// ---- the step state machine (pure) --------------------------------------------------------------------

/**
 * Applies a person's update to a step. Any state may follow any other (a person can reopen or correct a
 * step), but a finished run is frozen, skipping needs a reason, and every change records who and when.
 */
export function transition(
  step: RunStep,
  runState: ChecklistRun['state'],
  u: Omit<StepUpdate, 'runId' | 'stepId'>,
  actor: string,
  now: number,
  lng: Language = 'en',
): RunStep {
  const t = processText.in(lng).checklists;
  if (runState !== 'open') throw new ApiError('conflict', t.runFinished());
  if (u.state === 'skipped' && !u.note?.trim()) throw new ApiError('bad_arguments', t.skipNeedsReason());
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

export interface ChecklistEngineDeps {
  ctx: CoreContext;
  actions: ActionSink;
  templates: TemplateRepo;
  autoChecks: AutoChecks;
}

/** A new run of `template` (nothing stored yet): every step to do, due times counted from `now`. */
export function newRun(id: string, template: ChecklistTemplate, incidentId: string | null, actor: string, now: number): ChecklistRun {
  return {
    id,
    templateId: template.id,
    templateVersion: template.version,
    kind: template.kind,
    title: template.title,
    startedBy: actor,
    startedAt: now,
    finishedAt: null,
    incidentId,
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
}

/**
 * The template a run is shown with. A run synced from another console may come from a template version
 * this desk never received: it is shown with its step ids rather than not at all.
 */
export function templateFor(run: ChecklistRun, stored: ChecklistTemplate | null): ChecklistTemplate {
  return (
    stored ?? {
      id: run.templateId,
      version: run.templateVersion,
      kind: run.kind,
      title: run.title,
      sources: [],
      steps: run.steps.map((st) => ({ id: st.stepId, title: { en: st.stepId, 'zh-CN': st.stepId } })),
    }
  );
}

export function createChecklistEngine({ ctx, actions, templates, autoChecks }: ChecklistEngineDeps) {
  const { db } = ctx;
  const store = createRunStore(db);
  const lng = () => ctx.language();
  const say = () => processText.in(lng()).checklists;
  const changed = (ids: string[]) => ctx.emit('dataChanged', { collection: 'checklists', ids });
  const reminders = createDueReminders({ ctx, store, templates, changed });

  const mustLoad = (id: string): ChecklistRun => store.load(id) ?? notFound(lng(), 'run', id);
  const view = (run: ChecklistRun): RunView => ({ run, template: templateFor(run, templates.get(run.templateId, run.templateVersion)) });

  /** Re-reads the steps' states after a change and stores the run's overall result. */
  function refreshResult(runId: string, now: number): ChecklistRun {
    const run = mustLoad(runId);
    const result = runResult(run.steps.map((x) => x.state));
    store.setResult(runId, result, now);
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
        if (st) store.writeStep(run.id, applyAuto(st, auto));
      }
      return refreshResult(run.id, now);
    })();
  }

  /** Ends every change: the audit line, the due reminders re-armed, the console told. */
  function done(actor: string, action: string, fields: Record<string, unknown>, runId: string): void {
    ctx.audit(actor, action, fields);
    reminders.rearm();
    changed([runId]);
  }

  return {
    scheduler: reminders,

    async start(input: RunStart, actor: string): Promise<RunView> {
      const template = templates.latest(input.templateId) ?? notFound(lng(), 'template', input.templateId);
      const run = newRun(newId(ctx), template, input.incidentId ?? null, actor, ctx.clock.now());
      db.transaction(() => store.writeRun(run))();
      ctx.audit(actor, 'checklist.start', { runId: run.id, templateId: template.id, version: template.version });
      const evaluated = template.steps.some((st) => st.autoCheck) ? await evaluate(run, template) : run;
      reminders.rearm();
      changed([run.id]);
      return { run: evaluated, template };
    },

    get(id: string): RunView | null {
      const run = store.load(id);
      return run ? view(run) : null;
    },

    list: (query: RunListQuery): RunSummary[] => store.summaries(RunListQuerySchema.parse(query)),

    setStep(u: StepUpdate, actor: string): RunView {
      const now = ctx.clock.now();
      const run = db.transaction(() => {
        const current = mustLoad(u.runId);
        const step = current.steps.find((x) => x.stepId === u.stepId) ?? notFound(lng(), 'step', `${u.runId}/${u.stepId}`);
        store.writeStep(u.runId, transition(step, current.state, u, actor, now, lng()));
        return refreshResult(u.runId, now);
      })();
      done(actor, 'checklist.step', { runId: u.runId, stepId: u.stepId, state: u.state }, u.runId);
      return view(run);
    },

    async recheck(id: string): Promise<RunView> {
      const run = mustLoad(id);
      if (run.state !== 'open') throw new ApiError('conflict', say().checksKept());
      const v = view(run);
      const updated = await evaluate(run, v.template);
      changed([id]);
      return { run: updated, template: v.template };
    },

    finish(id: string, actor: string): RunView {
      const now = ctx.clock.now();
      const run = db.transaction(() => {
        const current = mustLoad(id);
        if (current.state !== 'open') throw new ApiError('conflict', say().alreadyFinished());
        const open = current.steps.filter((x) => x.state === 'todo');
        if (open.length) throw new ApiError('conflict', say().stepsOpen(open.length, { steps: open.map((x) => x.stepId).join(', ') }));
        const result = runResult(current.steps.map((x) => x.state));
        store.finish(id, result, now);
        const finished: ChecklistRun = { ...current, state: 'finished', finishedAt: now, result, updatedAt: now };
        sendAction(ctx, actions, 'checklist.result', { runId: id, templateId: current.templateId, result: finished }, actor);
        return finished;
      })();
      done(actor, 'checklist.finish', { runId: id, result: run.result }, id);
      return view(run);
    },

    /** Stores a run from the platform (another console's, or ours echoed back); the newer copy wins. */
    applyRemote(data: unknown): void {
      const run = ChecklistRunSchema.parse(data);
      const local = store.updatedAt(run.id);
      if (local !== undefined && local >= run.updatedAt) return;
      store.writeRun(run);
      reminders.rearm();
    },

    /** every run bound to an incident (war-room, response flow) */
    runIdsFor: store.runIdsFor,
  };
}
export type ChecklistEngine = ReturnType<typeof createChecklistEngine>;
