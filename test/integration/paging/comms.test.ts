/**
 * Incident comms and the test call end to end (issue #16 items 5–6): a real gateway pages from a roster
 * whose channels are real loopback receivers (test/services/im-receivers.ts: DingTalk, Slack, a webhook SMS
 * provider), each checking the request exactly as the vendor documents it; a real core signs in as 张三.
 * - a status update sent from the war-room reaches every incident channel with the vendor's request shape;
 *   a DingTalk robot whose secret is wrong answers errcode 310000 and the incident timeline says so, with
 *   the provider's answer, once delivery finished (first it says queued);
 * - the shift self-check's test call tries every path configured for 张三 (the level's DingTalk robots and
 *   their own SMS) and records which arrived and which did not, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/checklists';
import type { LinkState } from '@shared/domain';
import { entryText, type IncidentDetail } from '@shared/incidents';
import { RosterDocumentSchema } from '@shared/roster';
import { startGateway, type Gateway } from '@gateway/server';
import { runUsers } from '@gateway/users-cli';
import { createCore, type Core } from '@core';
import { MemoryNotifier } from '@core/notifier';
import { MemorySecretStore } from '@core/secrets';
import { silentLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { startReceiver, type Receiver } from '@test/services/im-receivers';
import { call, testSource } from '../link/helpers';

const SECRET = 'SECcomms0123456789abcdef0123456789abcdef0123456789abcdef0123456';
const SMS_KEY = 'sms-provider-key-7731';
let gw: Gateway;
let ding: Receiver;
let badDing: Receiver;
let slack: Receiver;
let sms: Receiver;
let core: Core;
const dirs: { cleanup(): void }[] = [];

beforeAll(async () => {
  ding = await startReceiver('dingtalk', { token: 'T1', secret: SECRET });
  badDing = await startReceiver('dingtalk', { token: 'T2', secret: SECRET });
  slack = await startReceiver('slack', { token: 'T0/B0/XX' });
  sms = await startReceiver('webhook', { token: 'sms', secret: SMS_KEY, webhookKeys: ['to', 'content'] });
  const gwDir = tempDir('vigil-comms-gw-');
  dirs.push(gwDir);
  const doc = RosterDocumentSchema.parse({
    people: [{ id: 'zhangsan', name: '张三', phone: '+86 131 5550 0101', channels: ['zhangsan-sms'] }],
    channels: [
      { id: 'sre-dingtalk', type: 'dingtalk', url: `${ding.url}/robot/send?access_token=T1`, secretEnv: 'DING' },
      { id: 'old-dingtalk', type: 'dingtalk', url: `${badDing.url}/robot/send?access_token=T2`, secretEnv: 'DING_OLD' },
      { id: 'status-slack', type: 'slack', url: `${slack.url}/services/T0/B0/XX`, language: 'en' },
      {
        id: 'zhangsan-sms',
        type: 'webhook',
        url: `${sms.url}/sms`,
        headers: { Authorization: 'Bearer {{secret}}' },
        secretEnv: 'SMS_KEY',
        body: { to: '{{phone}}', content: '{{text}}' },
      },
    ],
    policies: [{ id: 'p1', name: 'SRE P1', match: { severity: 'P1' }, levels: [{ name: 'on call', afterMinutes: 0, targets: [{ person: 'zhangsan' }], channels: ['sre-dingtalk', 'old-dingtalk'] }] }],
    incidentChannels: [
      { match: { severity: 'P1' }, channels: ['sre-dingtalk', 'status-slack'] },
      { match: { severity: 'P2' }, channels: ['old-dingtalk'] },
    ],
  });
  await runUsers(['add', 'zhangsan', '--name', '张三', '--role', 'responder', '--data-dir', gwDir.dir], { out: () => undefined, by: 'cli:test' });
  const out: string[] = [];
  await runUsers(['token', 'zhangsan', '--data-dir', gwDir.dir], { out: (l) => out.push(l), by: 'cli:test' });
  gw = await startGateway({
    source: testSource([]),
    dataDir: gwDir.dir,
    port: 0,
    log: silentLogger,
    paging: { roster: () => ({ id: 'sre', name: 'SRE', doc }), env: { DING: SECRET, DING_OLD: 'SECthis-is-the-old-secret', SMS_KEY } },
  });
  const d = tempDir('vigil-comms-console-');
  dirs.push(d);
  core = createCore({ dataDir: d.dir, transport: 'browser', secrets: new MemorySecretStore(), log: silentLogger, platform: {}, notifier: new MemoryNotifier() });
  const r = await call<{ ok: boolean }>(core, 'linkSignIn', { url: gw.url, token: out.at(-1)!.replace(/^token: /, '') });
  expect(r.ok).toBe(true);
  await until(async () => (await call<LinkState>(core, 'linkState')).status === 'online', 'online');
});
afterAll(async () => {
  await core?.close();
  await gw?.close();
  for (const r of [ding, badDing, slack, sms]) await r?.close();
  for (const d of dirs) d.cleanup();
});

const commsLine = (d: IncidentDetail, lng: 'en' | 'zh-CN') => {
  const e = d.timeline.find((x) => x.system?.code === 'comms');
  return e ? entryText(e, lng) : null;
};

describe('incident comms from the war-room', () => {
  it('a status update reaches each incident channel as the vendor documents it; the timeline records each answer', async () => {
    const { incident } = await call<IncidentDetail>(core, 'incidentDeclare', {
      title: '订单同步中断',
      triage: { serviceDown: false, coreAffected: false, uxDegraded: true },
      severity: 'P2',
    });
    await call(core, 'incidentUpdate', incident.id, { impact: '30% 的订单延迟' });
    await call(core, 'incidentStatusUpdate', incident.id, { phase: 'start', text: '【P2 事故通报】订单同步中断，影响 30% 的订单。负责人：张三' });

    // a P2: only the P2 rule's channel, the DingTalk robot with the old secret, which DingTalk refuses
    const first = await until(async () => {
      const d = await call<IncidentDetail>(core, 'incidentGet', incident.id);
      const line = commsLine(d, 'en');
      return line?.includes('not delivered') ? d : null;
    }, 'the dead letter in the timeline');
    expect(commsLine(first, 'en')).toMatch(
      /^Status update \(start\) to the incident channels: old-dingtalk not delivered after 1 tries: errcode 310000: sign not match/,
    );
    expect(commsLine(first, 'zh-CN')).toMatch(/^状态通报（事故通报）发往事故通道：old-dingtalk 尝试 1 次后未送达：errcode 310000: sign not match/);
    expect(badDing.requests).toHaveLength(1);
    expect(badDing.requests[0].answer.body).toContain('"errcode":310000');

    // raised to P1: the next update goes to the P1 rule's channels (and the P2 one: every rule matched adds)
    await call(core, 'incidentUpdate', incident.id, { severity: 'P1' });
    await call(core, 'incidentStatusUpdate', incident.id, { phase: 'update', text: '进展：已定位为上游限流，预计 30 分钟内恢复' });
    const second = await until(async () => {
      const d = await call<IncidentDetail>(core, 'incidentGet', incident.id);
      const e = d.timeline.filter((x) => x.system?.code === 'comms').at(-1)!;
      const t = entryText(e, 'en');
      return e.system?.params.phase === 'update' && !/sending|retrying|queued/.test(t) ? t : null;
    }, 'the second update delivered');
    expect(second).toMatch(
      /^Status update \(update\) to the incident channels: sre-dingtalk arrived; status-slack arrived; old-dingtalk not delivered after 1 tries: errcode 310000: sign not match/,
    );
    // the vendors' exact shapes (the receivers refuse anything else): DingTalk signed text, Slack text + blocks
    expect(ding.delivered()).toHaveLength(1);
    const dq = ding.delivered()[0];
    expect(dq.query.get('sign')).toBeTruthy();
    expect(Object.keys(dq.json as object).sort()).toEqual(['at', 'msgtype', 'text']);
    expect((dq.json as { text: { content: string } }).text.content).toContain('【P1】进展更新 — 订单同步中断\n进展：已定位为上游限流');
    expect(slack.delivered()).toHaveLength(1);
    expect(slack.delivered()[0].json).toMatchObject({ text: '[P1] Incident update — 订单同步中断', blocks: [{ type: 'section', text: { type: 'mrkdwn' } }] });
  });
});

describe('the shift self-check test call', () => {
  it('tries every path configured for the person on shift and records which arrived and which did not', async () => {
    const before = { ding: ding.requests.length, bad: badDing.requests.length, sms: sms.requests.length };
    const view = await call<RunView>(core, 'checklistStart', { templateId: 'shift-self-check' });
    const step = view.run.steps.find((s) => s.stepId === 'paging-channels')!;
    expect(step.auto).toMatchObject({ outcome: 'fail', reason: 'paging_failed' });
    expect(step.auto!.value).toMatch(
      /^sre-dingtalk: sent; old-dingtalk: dead — errcode 310000: sign not match[^;]*; zhangsan-sms \(张三\): sent; console: delivered$/,
    );
    expect(step.state).toBe('failed');
    expect(ding.requests.length - before.ding).toBe(1);
    expect(badDing.requests.length - before.bad).toBe(1);
    // the SMS provider got the marked test, to 张三's number, with its key
    const smsReq = sms.requests.at(-1)!;
    expect(sms.requests.length - before.sms).toBe(1);
    expect(smsReq.json).toEqual({ to: '13155500101', content: expect.stringContaining('【测试】Vigil 通知通路测试') });
    expect(smsReq.headers.authorization).toBe(`Bearer ${SMS_KEY}`);
    expect((ding.requests.at(-1)!.json as { text: { content: string } }).text.content).toContain('【测试】');
    // the desktop notification step is still its own check
    expect(view.run.steps.find((s) => s.stepId === 'notification-test')?.auto?.reason).toBe('notification_shown');
  });
});
