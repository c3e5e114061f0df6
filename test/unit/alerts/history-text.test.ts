/**
 * Alert history entries in the reader's language: stored as a code and parameters (migration 008)
 * beside the English line, and older entries read back from that line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertEventParams, alertEventText, queuedEntry } from '@shared/alert-history';
import { FLUSH_DELAY_MS } from '@core/alerts/changes';
import type { AlertsModule } from '@core/alerts/module';
import { createAlertRepo } from '@core/alerts/repo';
import { firingAlert } from '@test/helpers/alerts';
import { makeCtx, startAlertsModule, type TestCtx } from './helpers';

describe('alert history texts', () => {
  it('a queued action keeps its parameters and the line the history has always shown', () => {
    expect(queuedEntry('alert.ack', 'Li Wei')).toEqual({ detail: 'alert.ack queued by Li Wei', params: { action: 'alert.ack', actor: 'Li Wei' } });
    expect(queuedEntry('silence.create', 'Li Wei', 'release window')).toEqual({
      detail: 'silence queued by Li Wei: release window',
      params: { action: 'silence.create', actor: 'Li Wei', comment: 'release window' },
    });
  });

  it('reads stored parameters first, else the older entries’ lines; an unknown line stays as written', () => {
    expect(alertEventParams({ kind: 'action', detail: 'x', params: { action: 'alert.unack', actor: 'A: B' } })).toEqual({ action: 'alert.unack', actor: 'A: B' });
    expect(alertEventParams({ kind: 'acked', detail: 'by Li Wei' })).toEqual({ by: 'Li Wei' });
    expect(alertEventParams({ kind: 'action', detail: 'alert.resolve queued by on-call' })).toEqual({ action: 'alert.resolve', actor: 'on-call' });
    expect(alertEventParams({ kind: 'action', detail: 'silence queued by on-call: deploy: phase 2' })).toEqual({
      action: 'silence.create',
      actor: 'on-call',
      comment: 'deploy: phase 2',
    });
    expect(alertEventParams({ kind: 'firing', detail: '' })).toEqual({});
    expect(alertEventText({ kind: 'note', detail: 'imported from the old console' }, 'zh-CN')).toEqual({ kind: 'note', detail: 'imported from the old console' });
  });

  it('in zh-CN no English is left but names and comments', () => {
    expect(alertEventText({ kind: 'firing', detail: '' }, 'zh-CN')).toEqual({ kind: '告警中', detail: '' });
    expect(alertEventText({ kind: 'acked', detail: 'by Li Wei' }, 'zh-CN')).toEqual({ kind: '已确认', detail: '（Li Wei）' });
    expect(alertEventText({ kind: 'action', detail: 'alert.ack queued by on-call' }, 'zh-CN')).toEqual({ kind: '操作', detail: 'on-call 已提交确认请求' });
    // in English too, words rather than the action's code
    expect(alertEventText({ kind: 'action', detail: 'alert.ack queued by on-call' }, 'en')).toEqual({ kind: 'request', detail: 'ack requested by on-call' });
  });

  it('a resolve is the platform’s report: the acker written beside it is not named as who resolved it (issue #18)', () => {
    expect(alertEventParams({ kind: 'resolved', detail: 'by Li Wei' })).toEqual({});
    expect(alertEventText({ kind: 'resolved', detail: 'by Li Wei' }, 'zh-CN')).toEqual({ kind: '已恢复', detail: '（由平台上报）' });
    expect(alertEventText({ kind: 'resolved', detail: '' }, 'en')).toEqual({ kind: 'resolved', detail: 'reported by the platform' });
    // other state entries carry the acker along too: said by the acked entry, not again
    expect(alertEventText({ kind: 'silenced', detail: 'by Li Wei' }, 'zh-CN')).toEqual({ kind: '已静默', detail: '' });
  });
});

describe('the alerts module writes history entries with their parameters', () => {
  let t: TestCtx;
  let mod: AlertsModule;
  beforeEach(() => {
    t = makeCtx();
    ({ mod } = startAlertsModule(t));
  });
  afterEach(() => {
    mod.stop!();
    t.cleanup();
  });

  it('an ack and a silence are read back in either language', async () => {
    const a = firingAlert({ fingerprint: 'h1', labels: { alertname: 'OrderPullFailures', service: 'order-sync', severity: 'critical' } });
    t.ctx.db.transaction(() => mod.appliers!.find((x) => x.kind === 'alert.upsert')!.apply(a, { seq: 1, at: t.clock.now() }))();
    t.clock.advance(FLUSH_DELAY_MS);
    await mod.handlers.alertAck(['h1']);
    await mod.handlers.silenceCreate({ matchers: [{ name: 'service', value: 'order-sync', isEqual: true, isRegex: false }], durationMinutes: 30, comment: 'release window' });
    const history = createAlertRepo(t.ctx.db).history('h1');
    const actions = history.filter((e) => e.kind === 'action');
    expect(actions.map((e) => e.params)).toEqual([
      { action: 'silence.create', actor: 'on-call', comment: 'release window' },
      { action: 'alert.ack', actor: 'on-call' },
    ]);
    expect(actions.map((e) => alertEventText(e, 'zh-CN').detail)).toEqual(['on-call 已提交静默请求：release window', 'on-call 已提交确认请求']);
    // entries without parameters carry none
    const firing = history.filter((e) => e.kind === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]).not.toHaveProperty('params');
  });
});
