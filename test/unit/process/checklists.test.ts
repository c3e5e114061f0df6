import { afterEach, describe, expect, it } from 'vitest';
import { StepUpdateSchema, failingFirst, runResult, type RunStep, type TemplateSummary } from '@shared/checklists';
import { FakeClock } from '@node/clock';
import { AUTO_ACTOR, applyAuto, transition } from '@core/process/checklists';
import path from 'node:path';
import { BUNDLED_TEMPLATES, createTemplateRepo, parseTemplateYaml, periodStart } from '@core/process/templates';
import { openCoreDatabase } from '@core/store/open';
import { tempDir } from '@test/helpers/tmp';
import { MIN, T0, makeHarness, type Harness } from './harness';

const step = (over: Partial<RunStep> = {}): RunStep => ({
  stepId: 's1',
  position: 0,
  state: 'todo',
  owner: null,
  note: null,
  evidence: null,
  auto: null,
  dueAt: null,
  dueNotifiedAt: null,
  updatedBy: null,
  updatedAt: null,
  ...over,
});

describe('bundled templates', () => {
  const all = Object.entries(BUNDLED_TEMPLATES).map(([name, text]) => parseTemplateYaml(text, name));

  it('all parse, in both languages, with unique ids', () => {
    expect(all.map((t) => t.id).sort()).toEqual(
      ['response-flow', 'routine-daily', 'routine-monthly', 'routine-weekly', 'shift-handover', 'shift-self-check', 'war-room'].sort(),
    );
    for (const t of all) {
      expect(t.sources.length, t.id).toBeGreaterThan(0);
      for (const s of t.steps) {
        expect(s.title.en.length, `${t.id}/${s.id}`).toBeGreaterThan(0);
        expect(s.title['zh-CN'], `${t.id}/${s.id}`).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('the self-check verifies desk readiness and the handbook thresholds automatically', () => {
    const sc = all.find((t) => t.id === 'shift-self-check')!;
    const checks = sc.steps.map((s) => s.autoCheck?.type).filter(Boolean);
    expect(checks).toEqual(expect.arrayContaining(['notification_test', 'link_online', 'token_valid', 'fresh', 'no_firing', 'metric']));
    const backlog = sc.steps.find((s) => s.id === 'queue-backlog')!.autoCheck!;
    expect(backlog).toMatchObject({ type: 'metric', metric: 'ef_tasks_backlog', op: '<', limit: 5000, ratio: 0.8 });
    const db = sc.steps.find((s) => s.id === 'db-connections')!.autoCheck!;
    expect(db).toMatchObject({ type: 'metric', limit: { metric: 'pg_settings_max_connections' }, ratio: 0.7 });
  });

  it('the response flow has the eight stages of handbook 003 in order', () => {
    const rf = all.find((t) => t.id === 'response-flow')!;
    const sections = [...new Set(rf.steps.map((s) => s.section!.en))];
    expect(sections).toEqual(['1. Detect', '2. Acknowledge', '3. Triage', '4. Investigate', '5. Mitigate', '6. Resolve', '7. Verify', '8. Close']);
  });

  it('rejects a template with a clear message', () => {
    expect(() => parseTemplateYaml('id: x\nversion: 1\nkind: routine\ntitle: {en: a, zh-CN: b}\nsteps: []', 'bad.yaml')).toThrow(
      /bad\.yaml: .*steps/,
    );
    expect(() =>
      parseTemplateYaml('id: x\nversion: 1\nkind: routine\ntitle: {en: a, zh-CN: b}\nsteps: [{id: a, title: {en: a, zh-CN: b}}]', 'r.yaml'),
    ).toThrow(/period/);
  });

  it('are parsed and stored on a start only when the bundled set changed', () => {
    const t = tempDir('vigil-templates-');
    const db = openCoreDatabase(path.join(t.dir, 'vigil.db'));
    const saved = BUNDLED_TEMPLATES['routine-daily.yaml'];
    try {
      const repo = createTemplateRepo(db);
      const errors: string[] = [];
      const onError = (name: string) => void errors.push(name);
      expect(repo.seedBundled(onError)).toBe(all.length);
      expect(repo.seedBundled(onError)).toBe(0); // the same set: nothing parsed
      expect(repo.latest('shift-self-check')).not.toBeNull();
      BUNDLED_TEMPLATES['routine-daily.yaml'] = `${saved}\n# edited\n`;
      expect(repo.seedBundled(onError)).toBe(all.length);
      // a broken file is reported on every start until it is fixed
      BUNDLED_TEMPLATES['routine-daily.yaml'] = 'id: [';
      expect(repo.seedBundled(onError)).toBe(all.length - 1);
      expect(repo.seedBundled(onError)).toBe(all.length - 1);
      expect(errors).toEqual(['routine-daily.yaml', 'routine-daily.yaml']);
    } finally {
      BUNDLED_TEMPLATES['routine-daily.yaml'] = saved;
      db.close();
      t.cleanup();
    }
  });
});

describe('step state machine', () => {
  it('records who and when, allows reopening, and keeps evidence', () => {
    const done = transition(step(), 'open', { state: 'done', evidence: { value: '3120' } }, 'Li Wei', T0);
    expect(done).toMatchObject({ state: 'done', updatedBy: 'Li Wei', updatedAt: T0, evidence: { value: '3120' } });
    const reopened = transition(done, 'open', { state: 'todo' }, 'Zhang San', T0 + MIN);
    expect(reopened).toMatchObject({ state: 'todo', updatedBy: 'Zhang San', evidence: { value: '3120' } });
    expect(transition(reopened, 'open', { state: 'failed', note: 'pager silent' }, 'Zhang San', T0 + 2 * MIN).note).toBe('pager silent');
  });

  it('needs a reason to skip, and freezes finished runs', () => {
    expect(() => transition(step(), 'open', { state: 'skipped' }, 'Li Wei', T0)).toThrow(/reason/);
    expect(StepUpdateSchema.safeParse({ runId: 'r', stepId: 's', state: 'skipped' }).success).toBe(false);
    expect(transition(step(), 'open', { state: 'skipped', note: 'no SMS gateway at this site' }, 'Li Wei', T0).state).toBe('skipped');
    expect(() => transition(step(), 'finished', { state: 'done' }, 'Li Wei', T0)).toThrow(/finished/);
  });

  it('auto-checks pre-fill untouched steps but never overwrite a person', () => {
    const auto = { outcome: 'fail' as const, reason: 'link_down' as const, value: 'offline', limit: null, dataAt: T0, checkedAt: T0 };
    expect(applyAuto(step(), auto)).toMatchObject({ state: 'failed', updatedBy: AUTO_ACTOR, auto });
    expect(applyAuto(step({ state: 'done', updatedBy: AUTO_ACTOR }), { ...auto, outcome: 'unknown' })).toMatchObject({ state: 'todo' });
    const byPerson = step({ state: 'done', updatedBy: 'Li Wei', updatedAt: T0 });
    expect(applyAuto(byPerson, auto)).toMatchObject({ state: 'done', updatedBy: 'Li Wei', auto });
  });

  it('sums up a run and lists failing items first', () => {
    expect(runResult(['done', 'skipped'])).toBe('green');
    expect(runResult(['done', 'todo'])).toBe('pending');
    expect(runResult(['todo', 'failed'])).toBe('red');
    const ordered = failingFirst([
      { state: 'done' as const, position: 0 },
      { state: 'todo' as const, position: 1 },
      { state: 'failed' as const, position: 2 },
      { state: 'failed' as const, position: 3 },
    ]);
    expect(ordered.map((s) => s.position)).toEqual([2, 3, 1, 0]);
  });
});

describe('checklist engine', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('runs a routine to the end and sends the result through the outbox', async () => {
    h = makeHarness();
    const { checklists } = h.mod.services;
    const v = await checklists.start({ templateId: 'routine-weekly' }, 'Li Wei');
    expect(v.run).toMatchObject({ state: 'open', result: 'pending', startedBy: 'Li Wei', kind: 'routine' });
    const ids = v.template.steps.map((s) => s.id);
    expect(() => checklists.finish(v.run.id, 'Li Wei')).toThrow(/still to do/);
    for (const id of ids.slice(0, -1)) checklists.setStep({ runId: v.run.id, stepId: id, state: 'done' }, 'Li Wei');
    checklists.setStep({ runId: v.run.id, stepId: ids.at(-1)!, state: 'skipped', note: 'no trend data this week' }, 'Li Wei');
    const done = checklists.finish(v.run.id, 'Li Wei');
    expect(done.run).toMatchObject({ state: 'finished', result: 'green', finishedAt: T0 });
    const result = h.sent.find((s) => s.type === 'checklist.result')!;
    expect(result.payload).toMatchObject({ runId: v.run.id, templateId: 'routine-weekly', result: { result: 'green' } });
    expect(() => checklists.setStep({ runId: v.run.id, stepId: ids[0], state: 'todo' }, 'Li Wei')).toThrow(/finished/);
  });

  it('shows routines as due until run in the current period', async () => {
    h = makeHarness();
    const due = () => (h.mod.handlers.checklistTemplates() as TemplateSummary[]).find((t) => t.id === 'routine-daily')!.routine!;
    expect(due()).toMatchObject({ period: 'day', due: true, lastFinishedAt: null });
    const v = await h.mod.services.checklists.start({ templateId: 'routine-daily' }, 'Li Wei');
    for (const s of v.run.steps) h.mod.services.checklists.setStep({ runId: v.run.id, stepId: s.stepId, state: 'done' }, 'Li Wei');
    h.mod.services.checklists.finish(v.run.id, 'Li Wei');
    expect(due().due).toBe(false);
    h.clock.advance(24 * 60 * MIN);
    expect(due().due).toBe(true);
    expect(periodStart(Date.UTC(2026, 0, 7, 15), 'week', 'UTC')).toBe(Date.UTC(2026, 0, 5));
    expect(periodStart(Date.UTC(2026, 0, 7, 15), 'month', 'Asia/Shanghai')).toBe(Date.UTC(2025, 11, 31, 16));
  });

  it('notifies a missed due step once, and not when it was done in time', async () => {
    h = makeHarness();
    const { checklists } = h.mod.services;
    const v = await checklists.start({ templateId: 'war-room' }, 'Li Wei');
    // declare is due at +5 min, record-people and second-line at +10, freeze at +15
    checklists.setStep({ runId: v.run.id, stepId: 'declare', state: 'done' }, 'Li Wei');
    h.clock.advance(9 * MIN);
    expect(h.notifier.sent).toHaveLength(0);
    h.clock.advance(1 * MIN);
    expect(h.notifier.sent.map((n) => n.tag).sort()).toEqual([`due:${v.run.id}:record-people`, `due:${v.run.id}:second-line`]);
    expect(h.notifier.sent[0].title).toMatch(/overdue/);
    h.clock.advance(60 * MIN);
    expect(h.notifier.sent.map((n) => n.tag)).toContain(`due:${v.run.id}:freeze`);
    const count = h.notifier.sent.length;
    h.clock.advance(60 * MIN);
    expect(h.notifier.sent).toHaveLength(count);
    const stored = checklists.get(v.run.id)!.run.steps.find((s) => s.stepId === 'record-people')!;
    expect(stored.dueNotifiedAt).toBe(T0 + 10 * MIN);
  });

  it('keeps a run across a restart and notifies what fell due while closed, once', async () => {
    h = makeHarness();
    const v = await h.mod.services.checklists.start({ templateId: 'war-room' }, 'Li Wei');
    h.mod.services.checklists.setStep({ runId: v.run.id, stepId: 'declare', state: 'done', note: 'minutes opened' }, 'Li Wei');
    // Vigil is closed at +2 min and started again at +30 min.
    h.clock.advance(2 * MIN);
    h = h.restart(new FakeClock(T0 + 30 * MIN));
    const after = h.mod.services.checklists.get(v.run.id)!;
    expect(after.run.steps.find((s) => s.stepId === 'declare')).toMatchObject({ state: 'done', note: 'minutes opened', updatedBy: 'Li Wei' });
    h.clock.advance(0);
    expect(h.notifier.sent.map((n) => n.tag).sort()).toEqual(
      ['record-people', 'second-line', 'freeze'].map((s) => `due:${v.run.id}:${s}`).sort(),
    );
    h = h.restart(new FakeClock(T0 + 31 * MIN));
    h.clock.advance(0);
    expect(h.notifier.sent).toHaveLength(0);
  });

  it('refuses unknown templates, runs and steps with clear errors', async () => {
    h = makeHarness();
    await expect(h.mod.services.checklists.start({ templateId: 'nope' }, 'Li Wei')).rejects.toThrow(/template "nope" does not exist/);
    expect(() => h.mod.services.checklists.setStep({ runId: 'r-x', stepId: 'a', state: 'done' }, 'Li Wei')).toThrow(/does not exist/);
  });

  it('stores runs and templates from the platform; the newer copy wins', async () => {
    h = makeHarness();
    const v = await h.mod.services.checklists.start({ templateId: 'routine-daily' }, 'Li Wei');
    const apply = (kind: string, data: unknown) => h.mod.appliers!.find((a) => a.kind === kind)!.apply(data, { seq: 1, at: T0 });
    const older = { ...v.run, updatedAt: v.run.updatedAt - 1, startedBy: 'someone else' };
    apply('checklist.result', { runId: v.run.id, result: older, at: T0 });
    expect(h.mod.services.checklists.get(v.run.id)!.run.startedBy).toBe('Li Wei');
    const remote = { ...v.run, id: 'remote-run', startedBy: 'Zhang San', updatedAt: T0 + 5 };
    apply('checklist.result', { runId: 'remote-run', result: remote, at: T0 });
    expect(h.mod.services.checklists.get('remote-run')!.run.startedBy).toBe('Zhang San');
    expect(() => apply('checklist.result', { runId: 'x', result: { id: 'x' }, at: T0 })).toThrow();

    const tpl = parseTemplateYaml(BUNDLED_TEMPLATES['routine-daily.yaml'], 'd');
    apply('checklist.template', { id: tpl.id, version: 2, template: { ...tpl, version: 2, steps: tpl.steps.slice(0, 2) } });
    const summary = (h.mod.handlers.checklistTemplates() as TemplateSummary[]).find((t) => t.id === 'routine-daily')!;
    expect(summary).toMatchObject({ version: 2, origin: 'platform', stepCount: 2 });
    expect(() => apply('checklist.template', { id: 'other', version: 2, template: { ...tpl, version: 2 } })).toThrow(/does not match|event says/);
  });
});
