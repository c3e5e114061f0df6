import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import type { RunbookStepRun, RunbookRef, RunbookPage } from '@shared/runbooks';
import { parseRunbook } from '@shared/runbook-template';
import { createHarness, type Harness } from './harness';

let h: Harness;

function alert(
  fp: string,
  alertname: string,
  annotations: Record<string, string> = {},
  state: Alert['state'] = 'firing',
): void {
  h.upsertAlert({ fingerprint: fp, alertname, labels: { alertname, service: 'ozon-orders' }, annotations, state });
}

const ORDERS_MD = `# 名称：订单拉取延迟升高
## 症状
拉单延迟高
## 诊断步骤
1. 看上游错误率
2. 看队列积压
## 缓解
- 降低并发
`;

beforeEach(() => {
  h = createHarness();
  h.upsertRunbook({
    id: 'orders-pull',
    title: '订单拉取延迟升高',
    url: 'https://runbooks.example.internal/orders-pull',
    alertnames: ['OzonOrdersPullLatencyHigh'],
    markdown: ORDERS_MD,
  });
  h.upsertRunbook({
    id: 'service-down',
    title: 'Service down',
    alertnames: ['ServiceDown'],
    markdown: '# Service down\n## Mitigation\n- fail over\n',
  });
});
afterEach(() => h.close());

const runbookFor = (fp: string) => h.module.handlers.runbookForAlert(fp) as RunbookRef;

describe('alert → runbook', () => {
  it('opens the cached runbook known by the runbook_url annotation (trailing slash and fragment ignored)', () => {
    alert('a1', 'Whatever', { runbook_url: 'https://runbooks.example.internal/orders-pull/#diagnosis' });
    expect(runbookFor('a1')).toMatchObject({ kind: 'local', via: 'url', runbook: { id: 'orders-pull' } });
  });

  it('accepts a runbook id as the annotation', () => {
    alert('a2', 'Whatever', { runbook_url: 'service-down' });
    expect(runbookFor('a2')).toMatchObject({ kind: 'local', via: 'id', runbook: { id: 'service-down' } });
  });

  it('opens an unknown http(s) URL externally, listing local runbooks for the alert name as alternatives', () => {
    alert('a3', 'ServiceDown', { runbook_url: 'https://wiki.example.com/ops/paimon-down' });
    const l = runbookFor('a3');
    expect(l).toMatchObject({ kind: 'external', url: 'https://wiki.example.com/ops/paimon-down' });
    expect(l.kind === 'external' && l.candidates.map((c) => c.id)).toEqual(['service-down']);
  });

  it('never hands an unsafe link to the opener; falls back to the alert name', () => {
    alert('a4', 'ServiceDown', { runbook_url: 'javascript:alert(1)' });
    expect(runbookFor('a4')).toMatchObject({ kind: 'local', via: 'alertname', runbook: { id: 'service-down' } });
    alert('a5', 'Unknown', { runbook_url: 'javascript:alert(1)' });
    expect(runbookFor('a5')).toMatchObject({ kind: 'none' });
    expect((runbookFor('a5') as { reason: string }).reason).toMatch(/neither a cached runbook nor a safe web link/);
  });

  it('finds the runbook by alertname when there is no annotation, and says so when nothing matches', () => {
    alert('a6', 'OzonOrdersPullLatencyHigh');
    expect(runbookFor('a6')).toMatchObject({ kind: 'local', via: 'alertname', runbook: { id: 'orders-pull' } });
    alert('a7', 'NoSuchAlert');
    expect(runbookFor('a7')).toEqual({
      kind: 'none',
      reason: 'The alert has no runbook_url annotation and no cached runbook lists NoSuchAlert.',
    });
    expect(() => h.module.handlers.runbookForAlert('missing')).toThrow(/No cached alert/);
  });

  it('lists on a runbook page the firing alerts that resolve to it (and only those)', () => {
    alert('f1', 'OzonOrdersPullLatencyHigh', { summary: '拉单 P95 2m13s' });
    alert('f2', 'Other', { runbook_url: 'https://runbooks.example.internal/orders-pull' });
    alert('f3', 'OzonOrdersPullLatencyHigh', { runbook_url: 'service-down' }); // points elsewhere explicitly
    alert('f4', 'OzonOrdersPullLatencyHigh', {}, 'resolved');
    const page = h.module.handlers.runbookPage('orders-pull') as RunbookPage;
    expect(page.alerts.map((a) => [a.fingerprint, a.via]).sort()).toEqual([
      ['f1', 'alertname'],
      ['f2', 'url'],
    ]);
    expect(page.alerts.find((a) => a.fingerprint === 'f1')!.summary).toBe('拉单 P95 2m13s');
    expect((h.module.handlers.runbookPage('service-down') as RunbookPage).alerts.map((a) => a.fingerprint)).toEqual([
      'f3',
    ]);
  });
});

describe("ticking a runbook's steps (a step run)", () => {
  const steps = parseRunbook(ORDERS_MD).steps;
  const set = (stepId: string, done: boolean) =>
    h.module.handlers.runbookStepSet('orders-pull', stepId, done) as RunbookStepRun;

  it('starts a run on the first tick, records who and when, and sends the result once finished', () => {
    const first = set(steps[0].id, true);
    expect(first.state).toBe('open');
    expect(first.startedBy).toBe('Wang Fang');
    expect(first.steps).toHaveLength(3);
    expect(first.steps.find((s) => s.stepId === steps[0].id)).toMatchObject({
      state: 'done',
      updatedBy: 'Wang Fang',
      updatedAt: h.clock.now(),
    });
    h.clock.advance(90_000);
    set(steps[2].id, true);
    const again = set(steps[0].id, false);
    expect(again.runId).toBe(first.runId);
    expect(h.db.prepare('SELECT template_id, template_version, state FROM checklist_runs').all()).toEqual([
      { template_id: 'runbook:orders-pull', template_version: h.clock.now() - 90_000, state: 'open' },
    ]);

    const done = h.module.handlers.runbookStepRunFinish('orders-pull', '  止血完成  ') as RunbookStepRun;
    expect(done.state).toBe('recorded');
    expect(done.actionId).toBe('action-1');
    expect(h.submitted).toHaveLength(1);
    const sent = h.submitted[0];
    expect(sent.type).toBe('checklist.result');
    expect(sent.actor).toBe('Wang Fang');
    expect(sent.payload).toMatchObject({
      runId: first.runId,
      templateId: 'runbook:orders-pull',
      result: { runbookId: 'orders-pull', note: '止血完成', done: 1, total: 3 },
    });
    const recorded = (sent.payload as { result: { steps: { text: string; state: string }[] } }).result.steps;
    expect(recorded.map((s) => [s.text, s.state])).toEqual([
      ['看上游错误率', 'todo'],
      ['看队列积压', 'todo'],
      ['降低并发', 'done'],
    ]);

    // a tick after recording starts a new run
    expect(set(steps[1].id, true).runId).not.toBe(first.runId);
  });

  it('refuses unknown steps and finishing without a run, changing nothing', () => {
    expect(() => set('diagnosis:nope', true)).toThrow(/not in runbook/);
    expect(() => h.module.handlers.runbookStepRunFinish('orders-pull', undefined)).toThrow(/nothing to record/);
    expect(() => h.module.handlers.runbookStepSet('missing', steps[0].id, true)).toThrow(/No cached runbook/);
    expect(h.db.prepare('SELECT count(*) AS n FROM checklist_runs').get()).toEqual({ n: 0 });
    expect(h.submitted).toHaveLength(0);
  });

  it('keeps the run open when the action cannot be queued (one transaction)', () => {
    const failing = createHarness({ failSubmit: true });
    try {
      failing.upsertRunbook({ id: 'orders-pull', title: 'x', markdown: ORDERS_MD });
      failing.module.handlers.runbookStepSet('orders-pull', steps[0].id, true);
      expect(() => failing.module.handlers.runbookStepRunFinish('orders-pull', undefined)).toThrow(
        /outbox unavailable/,
      );
      expect(failing.db.prepare('SELECT state FROM checklist_runs').get()).toEqual({ state: 'open' });
    } finally {
      failing.close();
    }
  });

  it('abandons an open run without sending anything', () => {
    set(steps[0].id, true);
    expect((h.module.handlers.runbookStepRunAbandon('orders-pull') as RunbookStepRun).state).toBe('abandoned');
    expect(h.module.handlers.runbookStepRunAbandon('orders-pull')).toBeNull();
    expect(h.submitted).toHaveLength(0);
  });
});
