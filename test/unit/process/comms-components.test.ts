// @vitest-environment jsdom
/**
 * The war-room's and the self-check's parts of incident comms (issue #16 items 5–6), rendered as the console
 * renders them and found by role and name, in en and zh-CN: the status composer's send control queues the
 * update for the incident channels; the timeline entry says where it went and whether it arrived (red when a
 * channel did not get it); the self-check's test-call step says what to do next when a path failed.
 */
import { act, createElement } from 'react';
import type { Root } from 'react-dom/client';
import { describe, expect, it, vi } from 'vitest';
import type { VigilApi } from '@shared/api';
import type { AutoResult } from '@shared/checklists';
import { NO_ROLES, type IncidentDetail } from '@shared/incidents';
import { setLanguage } from '@renderer/i18n';
import { StatusComposer } from '@renderer/features/incidents/StatusComposer';
import { Timeline } from '@renderer/features/incidents/IncidentParts';
import { StepHelp } from '@renderer/features/checklists/StepHelp';
import { testCallValue } from '@renderer/features/checklists/test-call-value';
import i18next from 'i18next';
import { mountRenderer } from '@test/helpers/react-root';

const T0 = Date.UTC(2026, 11, 6, 2, 0);
const sent = vi.fn(async () => ({ id: 'e2' }));
const fakeApi = {
  on: () => () => undefined,
  incidentStatusUpdate: sent,
  runbooksSearch: async () => ({ hits: [] }),
  dashboardsList: async () => [],
  partFailed: async () => ({ logged: true }),
} as unknown as VigilApi;

const deliveries = JSON.stringify([
  { channel: 'sre-dingtalk', person: null, state: 'sent', attempts: 1, error: null },
  { channel: 'old-dingtalk', person: null, state: 'dead', attempts: 1, error: 'errcode 310000: sign not match' },
]);
const detail: IncidentDetail = {
  incident: {
    id: 'INC-7',
    title: '订单同步中断',
    severity: 'P1',
    proposedSeverity: 'P1',
    triage: { serviceDown: false, coreAffected: true, uxDegraded: null },
    status: 'investigating',
    changeFreeze: false,
    roles: { ...NO_ROLES, commander: '张三' },
    fingerprints: [],
    impact: '30% 的订单延迟',
    declaredBy: '张三',
    declaredAt: T0,
    respondedAt: T0 + 60_000,
    resolvedAt: null,
    closedAt: null,
    review: null,
    postmortem: null,
    updatedAt: T0,
  },
  alerts: [],
  timeline: [
    { id: 'e1', incidentId: 'INC-7', at: T0 + 60_000, kind: 'status_update', author: '张三', text: '事故通报……', system: null },
    { id: 'comms:e1', incidentId: 'INC-7', at: T0 + 60_000, kind: 'status_update', author: '张三', text: '', system: { code: 'comms', params: { phase: 'start', deliveries } } },
    { id: 'comms:e0', incidentId: 'INC-7', at: T0 + 30_000, kind: 'status_update', author: '张三', text: '', system: { code: 'comms', params: { phase: 'start', queued: '1', deliveries: '' } } },
  ],
  respond: { targetMinutes: 15, dueAt: T0 + 15 * 60_000, metAt: T0 + 60_000 } as unknown as IncidentDetail['respond'],
  resolve: { targetMinutes: 240, dueAt: T0 + 240 * 60_000, metAt: null } as unknown as IncidentDetail['resolve'],
  runIds: [],
};

let root: Root;
let host: HTMLDivElement;

/** elements of a role (the few these parts use) with this accessible name */
function byRole(role: 'button' | 'list' | 'listitem' | 'note' | 'form', name?: string | RegExp): HTMLElement[] {
  const selector = { button: 'button', list: 'ol,ul,[role="list"]', listitem: 'li', note: '[role="note"]', form: 'form' }[role];
  return [...host.querySelectorAll<HTMLElement>(selector)].filter((el) => {
    if (name === undefined) return true;
    const label = el.getAttribute('aria-label') ?? (el.getAttribute('aria-labelledby') ? document.getElementById(el.getAttribute('aria-labelledby')!)?.textContent : null) ?? el.textContent ?? '';
    return typeof name === 'string' ? label.trim() === name : name.test(label);
  });
}

async function render(el: ReturnType<typeof createElement>) {
  await act(async () => root.render(el));
}

mountRenderer(fakeApi, (r, h) => {
  root = r;
  host = h;
});

describe('the war-room', () => {
  it("sends the status update to the incident's channels from its send control", async () => {
    setLanguage('en');
    await render(createElement(StatusComposer, { detail }));
    const [send] = byRole('button', 'Send to the incident channels');
    expect(send).toBeDefined();
    await act(async () => send.click());
    expect(sent).toHaveBeenCalledTimes(1);
    expect(sent).toHaveBeenCalledWith('INC-7', { phase: 'update', text: expect.stringContaining('订单同步中断') });
    setLanguage('zh-CN');
    await render(createElement(StatusComposer, { detail }));
    expect(byRole('button', '发送到事故通道')).toHaveLength(1);
  });

  it('the timeline says where each update went and whether it arrived, in both languages', async () => {
    setLanguage('en');
    await render(createElement(Timeline, { detail, readOnly: true }));
    const [list] = byRole('list', 'Timeline (minutes)');
    const items = [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(items[1]).toContain('Status update (start) to the incident channels: sre-dingtalk arrived; old-dingtalk not delivered after 1 tries: errcode 310000: sign not match');
    expect(items[2]).toContain('Status update (start) to the incident channels: queued; it goes out when the platform receives it');
    // a channel that did not get it marks the entry
    expect(list.querySelectorAll('li')[1].querySelector('.badge-danger')).not.toBeNull();
    expect(list.querySelectorAll('li')[2].querySelector('.badge-danger')).toBeNull();

    setLanguage('zh-CN');
    await render(createElement(Timeline, { detail, readOnly: true }));
    const zh = [...byRole('list', '时间线（纪要）')[0].querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(zh[1]).toContain('状态通报（事故通报）发往事故通道：sre-dingtalk 已送达；old-dingtalk 尝试 1 次后未送达：errcode 310000: sign not match');
    expect(zh[2]).toContain('已排队，平台收到后发出');
    expect(zh.join('')).not.toMatch(/arrived|queued|Status update/);
  });
});

describe('the self-check test call', () => {
  const auto = (reason: AutoResult['reason'], outcome: AutoResult['outcome'] = 'fail'): AutoResult => ({ outcome, reason, value: 'x', limit: null, dataAt: null, checkedAt: T0 });

  it('a failed path says what to do and opens the roster; offline it offers to reconnect', async () => {
    setLanguage('en');
    await render(createElement(StepHelp, { check: { type: 'paging_test' }, auto: auto('paging_failed') }));
    const [note] = byRole('note', 'What to do');
    expect(note?.textContent).toContain('A path did not arrive: the reason is beside it.');
    expect(byRole('button', 'Open the roster')).toHaveLength(1);
    await render(createElement(StepHelp, { check: { type: 'paging_test' }, auto: auto('paging_offline', 'unknown') }));
    expect(byRole('button', 'Reconnect now')).toHaveLength(1);
    expect(byRole('button', 'Open the roster')).toHaveLength(0);
    setLanguage('zh-CN');
    await render(createElement(StepHelp, { check: { type: 'paging_test' }, auto: auto('paging_none') }));
    expect(byRole('note')[0].textContent).toContain('值班表中没有你的通道');
    expect(byRole('button', '打开值班表')).toHaveLength(1);
    // all arrived: nothing to do
    await render(createElement(StepHelp, { check: { type: 'paging_test' }, auto: auto('paging_arrived', 'pass') }));
    expect(byRole('note')).toHaveLength(0);
  });
});

describe("the test call's reading", () => {
  it("is said in the reader's language whatever the language when it ran; the provider's answer stays as it came", () => {
    const value = 'sre-dingtalk: sent; old-dingtalk: dead — errcode 310000: sign not match; sms (张三): pending; console: delivered';
    const say = (lng: 'en' | 'zh-CN', v: string) => testCallValue(v, i18next.getFixedT(lng, 'checklists'));
    expect(say('en', value)).toBe('sre-dingtalk: arrived; old-dingtalk: did not arrive — errcode 310000: sign not match; sms (张三): no answer yet; this console: connected');
    expect(say('zh-CN', value)).toBe('sre-dingtalk：已送达；old-dingtalk：未送达 — errcode 310000: sign not match；sms (张三)：尚无回应；本机控制台：已连接');
    expect(say('zh-CN', 'none: paging_off')).toBe('平台未开启消息发送（呼叫功能关闭）');
    expect(say('en', 'none: not_in_roster; console: no_login')).toBe('you are not in the platform roster; this console: not signed in as a person');
    expect(say('zh-CN', 'no_answer')).toBe('尚无回应');
  });
});
