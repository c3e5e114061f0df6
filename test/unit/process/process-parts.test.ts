/**
 * The checklist, handover and auto-check parts on their own: a new run and the template a run is shown
 * with, the overdue notice, the run store's guarded reads, the shift reader, metric readings, and the
 * process texts in both languages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChecklistTemplate } from '@shared/checklists';
import { newRun, templateFor, transition } from '@core/process/checklists';
import { overdueNotice } from '@core/process/checklist-due';
import { createRunStore, type DueStep } from '@core/process/checklist-store';
import { createShiftReader, DEFAULT_SHIFT, MAX_SHIFT, matchersText } from '@core/process/handover-draft';
import { fmt, lastValues, mentions } from '@core/process/autocheck-metric';
import { processText } from '@core/process/texts';
import { MIN, T0, makeHarness, type Harness } from './harness';

const template: ChecklistTemplate = {
  id: 'routine-daily',
  version: 3,
  kind: 'routine',
  title: { en: 'Daily checks', 'zh-CN': '每日检查' },
  sources: [],
  steps: [
    { id: 'backlog', title: { en: 'Queue backlog below 5000', 'zh-CN': '队列积压低于 5000' }, dueMinutes: 30 },
    { id: 'certs', title: { en: 'Certificates valid', 'zh-CN': '证书有效' } },
  ],
};

describe('runs', () => {
  it('a new run has every step to do, due times counted from its start', () => {
    const run = newRun('r1', template, 'INC-1', 'Li Wei', T0);
    expect(run).toMatchObject({ id: 'r1', templateId: 'routine-daily', templateVersion: 3, incidentId: 'INC-1', state: 'open', result: 'pending', startedBy: 'Li Wei' });
    expect(run.steps.map((s) => [s.stepId, s.position, s.state, s.dueAt])).toEqual([
      ['backlog', 0, 'todo', T0 + 30 * MIN],
      ['certs', 1, 'todo', null],
    ]);
  });

  it('a run from a template version this desk never received is shown with its step ids', () => {
    const run = newRun('r1', template, null, 'Li Wei', T0);
    expect(templateFor(run, template)).toBe(template);
    expect(templateFor(run, null)).toMatchObject({ id: 'routine-daily', version: 3, steps: [{ id: 'backlog', title: { en: 'backlog' } }, { id: 'certs' }] });
  });

  it('refuses in the language asked for', () => {
    const step = newRun('r1', template, null, 'Li Wei', T0).steps[0];
    expect(() => transition(step, 'open', { state: 'skipped' }, 'Li Wei', T0, 'zh-CN')).toThrow('跳过检查项需要在备注中写明原因。');
    expect(() => transition(step, 'finished', { state: 'done' }, 'Li Wei', T0, 'zh-CN')).toThrow('该检查单已结束，检查项不能再修改。');
  });

  it('names the open steps, one or many', () => {
    expect(processText.in('en').checklists.stepsOpen(1, { steps: 'a' })).toBe('1 step is still to do (a): mark it done, failed, or skipped with a reason.');
    expect(processText.in('en').checklists.stepsOpen(2, { steps: 'a, b' })).toMatch(/^2 steps are still to do \(a, b\)/);
    expect(processText.in('zh-CN').checklists.stepsOpen(2, { steps: 'a, b' })).toMatch(/^还有 2 个检查项未处理/);
  });
});

describe('overdue notice', () => {
  const due: DueStep = {
    run_id: 'r1',
    step_id: 'backlog',
    due_at: T0,
    template_id: 'routine-daily',
    template_version: 3,
    title: JSON.stringify(template.title),
    incident_id: null,
  };

  it('names the run and the step in the core’s language, with how late it is', () => {
    expect(overdueNotice(due, template, 'en', T0 + 7 * MIN)).toEqual({
      tag: 'due:r1:backlog',
      title: 'Checklist step overdue: Daily checks',
      body: 'Queue backlog below 5000 (7 min late)',
      urgency: 'normal',
      sticky: false,
    });
    expect(overdueNotice(due, template, 'zh-CN', T0 + 7 * MIN)).toMatchObject({ title: '检查项已超时：每日检查', body: '队列积压低于 5000（已超时 7 分钟）' });
  });

  it('is urgent for an incident’s run; falls back to ids without the template', () => {
    expect(overdueNotice({ ...due, incident_id: 'INC-1', title: 'not json' }, null, 'en', T0)).toEqual({
      tag: 'due:r1:backlog',
      title: 'Checklist step overdue: routine-daily',
      body: 'backlog',
      urgency: 'critical',
      sticky: true,
    });
  });
});

describe('stores and readers', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('the run store keeps a run whole, reports due steps until marked, and its summaries count states', () => {
    h = makeHarness();
    const store = createRunStore(h.db);
    const run = newRun('r1', template, null, 'Li Wei', T0);
    store.writeRun(run);
    expect(store.load('r1')).toEqual(run);
    expect(store.updatedAt('r1')).toBe(T0);
    expect(store.updatedAt('nope')).toBeUndefined();
    expect(store.nextDue()).toBe(T0 + 30 * MIN);
    expect(store.dueNow(T0 + 29 * MIN)).toEqual([]);
    expect(store.dueNow(T0 + 30 * MIN).map((d) => [d.run_id, d.step_id])).toEqual([['r1', 'backlog']]);
    store.markDue('r1', 'backlog', T0 + 30 * MIN);
    expect(store.dueNow(T0 + 31 * MIN)).toEqual([]);
    expect(store.nextDue()).toBeNull();
    store.writeStep('r1', { ...run.steps[1], state: 'done' });
    expect(store.summaries({ limit: 10 })[0].counts).toEqual({ todo: 1, done: 1, skipped: 0, failed: 0 });
  });

  it('the shift reader starts a shift at the last handover’s end when that is recent, else 12 hours back', () => {
    h = makeHarness();
    const shift = createShiftReader(h.db);
    expect(shift.defaultShiftStart(T0)).toBe(T0 - DEFAULT_SHIFT);
    const insert = h.db.prepare(
      "INSERT INTO handovers (id, shift_start, shift_end, outgoing, incoming, draft, notes, watch_items) VALUES (?, ?, ?, 'Li Wei', NULL, '{}', '', '[]')",
    );
    insert.run('h1', T0 - 20 * 60 * MIN, T0 - 8 * 60 * MIN);
    expect(shift.defaultShiftStart(T0)).toBe(T0 - 8 * 60 * MIN);
    expect(shift.defaultShiftStart(T0 - 8 * 60 * MIN + MAX_SHIFT + 1)).toBe(T0 - 8 * 60 * MIN + MAX_SHIFT + 1 - DEFAULT_SHIFT);
    expect(shift.draft(T0 - 60 * MIN, T0)).toMatchObject({ shiftStart: T0 - 60 * MIN, shiftEnd: T0, nextShiftEnd: T0 + 60 * MIN, outbox: { pending: 0, failed: 0, items: [] } });
  });

  it('silence matchers read as Alertmanager writes them', () => {
    expect(
      matchersText([
        { name: 'team', value: 'ozon', isRegex: false, isEqual: true },
        { name: 'alertname', value: 'Order.*', isRegex: true, isEqual: false },
      ]),
    ).toBe('team="ozon", alertname!~"Order.*"');
  });
});

describe('metric readings', () => {
  it('takes the last finite value of each matching series, never later than the fetch', () => {
    const series = [
      { labels: { __name__: 'up', job: 'a' }, points: [[T0 - 2 * MIN, 1], [T0 + MIN, NaN]] as [number, number][] },
      { labels: { __name__: 'up', job: 'b' }, points: [[T0 + 5 * MIN, 0]] as [number, number][] },
      { labels: { __name__: 'other', job: 'a' }, points: [[T0, 7]] as [number, number][] },
    ];
    expect(lastValues(series, 'up', undefined, true, T0)).toEqual([
      { value: 1, at: T0 - 2 * MIN },
      { value: 0, at: T0 },
    ]);
    expect(lastValues(series, 'up', { job: 'a' }, false, T0)).toEqual([
      { value: 1, at: T0 - 2 * MIN },
      { value: 7, at: T0 },
    ]);
  });

  it('finds a metric only as a whole name, and formats readings briefly', () => {
    expect(mentions('sum(rate(http_requests_total[5m]))', 'http_requests_total')).toBe(true);
    expect(mentions('http_requests_total_bucket', 'http_requests_total')).toBe(false);
    expect([fmt(3120), fmt(0.12345), fmt(12.34), fmt(2.5)]).toEqual(['3120', '0.123', '12.3', '2.5']);
  });
});
