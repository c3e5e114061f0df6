/**
 * Incident status updates and the self-check's test call through the paging outbox (issue #16 items 5–6),
 * on a fake clock over the SQLite PagingStore with a scripted vendor (fetch): which channels an incident's
 * severity and teams reach, which paths reach a person, one message per channel written before anything goes
 * out and never twice for one id, `comms.update` after every delivery change (retrying, sent, dead with the
 * provider's answer), a test call trying each path once, and migration 7 keeping the pages of migration 6.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommsSchema, type Comms } from '@shared/paging';
import { entryText, type TimelineEntry } from '@shared/incidents';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { openDatabase } from '@node/sqlite';
import type { OfferedEvent } from '@gateway/entities';
import { createPaging, type Paging } from '@gateway/paging';
import { incidentChannelUses, personChannelUses } from '@gateway/paging/comms';
import type { FetchLike } from '@gateway/paging/deliver';
import { indexRoster } from '@gateway/paging/policy';
import type { PagingStore } from '@gateway/paging/store';
import { gatewayMigrations } from '@gateway/sqlite/schema';
import { openPagingStore } from '@gateway/sqlite/paging';
import { readTestCall } from '@core/process/test-call';
import { tempDir } from '@test/helpers/tmp';
import { testRoster } from './paging-roster';

const roster = testRoster({
  incidentChannels: [
    { match: { severity: 'P1', teams: ['platform-sre'] }, channels: ['sre-dingtalk'] },
    { match: { severity: 'P2' }, channels: ['sre-slack'] },
  ],
});

describe('which channels', () => {
  const ix = indexRoster(roster);
  it("an incident's severity and its alerts' teams pick the incidentChannels rules (every matching rule adds)", () => {
    const ids = (severity: 'P0' | 'P1' | 'P2' | 'P3', teams: string[]) => incidentChannelUses(ix, { severity, teams }).map((u) => u.channel.id);
    expect(ids('P1', ['platform-sre'])).toEqual(['sre-dingtalk', 'sre-slack']);
    expect(ids('P0', ['platform-sre', 'db'])).toEqual(['sre-dingtalk', 'sre-slack']);
    expect(ids('P1', ['db'])).toEqual(['sre-slack']);
    expect(ids('P2', ['platform-sre'])).toEqual(['sre-slack']);
    expect(ids('P3', ['platform-sre'])).toEqual([]);
  });

  it('a person is reached by their own channels, the levels that target them (day and night) and their rotation team', () => {
    const uses = (id: string) => personChannelUses(ix, ix.people.get(id)!).map((u) => `${u.channel.id}/${u.person?.id ?? '-'}`);
    // 张三: L1 through the sre-primary rotation (DingTalk) and the rotation's team Slack
    expect(uses('zhangsan')).toEqual(['sre-dingtalk/-', 'sre-slack/-']);
    // 李四: L2 by name (DingTalk by day, DingTalk + voice at night) and their own SMS
    expect(uses('lisi')).toEqual(['sre-dingtalk/-', 'voice/lisi', 'lisi-sms/lisi']);
    expect(uses('wangwu')).toEqual(['voice/wangwu']);
  });

  it('the roster refuses an incidentChannels rule naming an unknown channel', async () => {
    const { RosterDocumentSchema } = await import('@shared/roster');
    const r = RosterDocumentSchema.safeParse({ channels: [], incidentChannels: [{ channels: ['nope'] }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('incidentChannels');
  });
});

describe('comms through the outbox', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: FakeClock;
  let store: PagingStore;
  let paging: Paging;
  let events: OfferedEvent[];
  let answers: Record<string, () => { status: number; body: string }>;
  let requests: { url: string; body: string }[];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('vigil-comms-'));
    clock = new FakeClock(Date.UTC(2026, 2, 2, 2, 0, 0));
    store = openPagingStore(path.join(dir, 'gateway.db'));
    events = [];
    requests = [];
    answers = {
      'http://127.0.0.1:9/robot/send?access_token=t': () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }),
      'http://127.0.0.1:9/services/T/B/X': () => ({ status: 200, body: 'ok' }),
      'http://127.0.0.1:9/sms': () => ({ status: 200, body: '{}' }),
      'http://127.0.0.1:9/voice': () => ({ status: 200, body: '{}' }),
    };
    const fetch: FetchLike = async (url, init) => {
      requests.push({ url, body: init.body });
      const a = (answers[url] ?? (() => ({ status: 404, body: 'no such hook' })))();
      return { status: a.status, headers: new Headers(), text: async () => a.body };
    };
    paging = createPaging({
      roster: () => roster,
      store,
      clock,
      log: silentLogger,
      alerts: () => [],
      // 李四 signs in as a gateway user with their roster id
      loginOf: (p) => p.login ?? (p.id === 'lisi' ? 'lisi' : null),
      connected: (l) => l === 'zhangsan',
      emit: (e) => events.push(...e),
      incident: (id) => (id === 'inc-1' ? { title: '订单同步失败', severity: 'P1', teams: ['platform-sre'] } : null),
      fetch,
      backoff: { baseMs: 5_000, maxMs: 60_000 },
    });
    paging.start();
  });
  afterEach(async () => {
    await paging.stop();
    store.close();
    cleanup();
  });

  const settle = async () => {
    await paging.deliverer.idle();
    await new Promise((r) => setImmediate(r));
    await paging.deliverer.idle();
  };
  const last = (id: string): Comms =>
    CommsSchema.parse(events.filter((e) => e.kind === 'comms.update' && (e.data as Comms).id === id).at(-1)!.data);
  const update = { incidentId: 'inc-1', phase: 'start' as const, text: '订单同步失败，影响 30% 订单。负责人：张三', updateId: 'entry-1' };

  it("writes one message per incident channel, reports them pending, then each channel's answer", async () => {
    paging.local.afterProcess('incident.status_update', update, { id: 'action-1', actor: '张三', login: 'zhangsan' });
    // written before anything went out, reported at once
    const first = CommsSchema.parse(events.find((e) => e.kind === 'comms.update')!.data);
    expect(first).toMatchObject({ id: 'entry-1', kind: 'incident', incidentId: 'inc-1', phase: 'start', by: '张三', none: null });
    expect(first.deliveries.map((d) => [d.channel, d.state])).toEqual([
      ['sre-dingtalk', 'pending'],
      ['sre-slack', 'pending'],
    ]);
    await settle();
    expect(last('entry-1').deliveries.map((d) => [d.channel, d.state, d.attempts])).toEqual([
      ['sre-dingtalk', 'sent', 1],
      ['sre-slack', 'sent', 1],
    ]);
    // the team's language: the DingTalk channel is zh-CN, the Slack one en
    const ding = JSON.parse(requests.find((r) => r.url.includes('robot'))!.body) as { text: { content: string } };
    expect(ding.text.content).toContain('【P1】事故通报 — 订单同步失败');
    expect(ding.text.content).toContain('影响 30% 订单');
    const slack = JSON.parse(requests.find((r) => r.url.includes('services'))!.body) as { text: string };
    expect(slack.text).toBe('[P1] Incident started — 订单同步失败');
    // a resent action (a lost answer) sends nothing twice
    paging.local.afterProcess('incident.status_update', update, { id: 'action-1', actor: '张三', login: 'zhangsan' });
    await settle();
    expect(requests).toHaveLength(2);
    // someone else reusing the id neither silences their own update nor touches this one: theirs goes under its action id
    paging.local.afterProcess('incident.status_update', { ...update, text: '冒名' }, { id: 'action-x', actor: '李四', login: 'lisi' });
    await settle();
    expect(requests).toHaveLength(4);
    expect(last('action-x')).toMatchObject({ by: '李四', deliveries: [{ state: 'sent' }, { state: 'sent' }] });
    expect(last('entry-1').by).toBe('张三');
  });

  it('retries with backoff and reports retrying, then dead with the provider answer after maxAttempts', async () => {
    answers['http://127.0.0.1:9/services/T/B/X'] = () => ({ status: 500, body: 'internal_error' });
    paging.local.afterProcess('incident.status_update', update, { id: 'a', actor: '张三', login: 'zhangsan' });
    await settle();
    expect(last('entry-1').deliveries.find((d) => d.channel === 'sre-slack')).toMatchObject({ state: 'retrying', attempts: 1, error: 'HTTP 500: internal_error' });
    for (let i = 0; i < 6; i++) {
      clock.advance(60_000);
      await settle();
    }
    const slack = last('entry-1').deliveries.find((d) => d.channel === 'sre-slack')!;
    expect(slack).toMatchObject({ state: 'dead', attempts: 6, error: 'HTTP 500: internal_error' });
    expect(store.deadLetters(10).map((m) => m.channel)).toEqual(['sre-slack']);
    expect(last('entry-1').deliveries.find((d) => d.channel === 'sre-dingtalk')!.state).toBe('sent');
  });

  it('an incident no rule matches, or one the gateway does not know, is reported with nothing sent', async () => {
    paging.local.afterProcess('incident.status_update', { ...update, incidentId: 'inc-x', updateId: 'e2' }, { id: 'b', actor: '张三', login: 'zhangsan' });
    await settle();
    expect(last('e2')).toMatchObject({ deliveries: [], none: 'no_channels' });
    expect(requests).toHaveLength(0);
  });

  it('a test call tries every path that reaches the sender once and reports each, plus their console', async () => {
    answers['http://127.0.0.1:9/robot/send?access_token=t'] = () => ({ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' });
    answers['http://127.0.0.1:9/services/T/B/X'] = () => ({ status: 503, body: 'service unavailable' });
    const r = paging.local.apply('paging.test', { testId: 't-1' }, { id: 'action-t', actor: '张三', login: 'zhangsan' });
    expect(r).toEqual({ ok: true });
    await settle();
    const c = last('t-1');
    expect(c).toMatchObject({ kind: 'test', console: 'delivered', by: '张三' });
    // no retry for a test: a 503 is the answer now
    expect(c.deliveries.map((d) => [d.channel, d.state, d.attempts, d.error])).toEqual([
      ['sre-dingtalk', 'dead', 1, 'errcode 310000: sign not match'],
      ['sre-slack', 'dead', 1, 'HTTP 503: service unavailable'],
    ]);
    expect(JSON.parse(requests[0].body).text.content).toContain('【测试】Vigil 通知通路测试');
    expect(JSON.parse(requests[1].body).text).toBe('[TEST] Vigil notification path test');
    // the reading the self-check records, in codes the console says in the reader's language
    expect(readTestCall(c)).toEqual({
      outcome: 'fail',
      reason: 'paging_failed',
      value: 'sre-dingtalk: dead — errcode 310000: sign not match; sre-slack: dead — HTTP 503: service unavailable; console: delivered',
    });
  });

  it('a test call for someone the roster does not know sends nothing and says why', async () => {
    paging.local.apply('paging.test', { testId: 't-2' }, { id: 'x', actor: 'Ana', login: 'ana' });
    await settle();
    expect(last('t-2')).toMatchObject({ deliveries: [], none: 'not_in_roster', console: 'not_connected' });
    expect(readTestCall(last('t-2'))).toEqual({ outcome: 'fail', reason: 'paging_none', value: 'none: not_in_roster; console: not_connected' });
    expect(readTestCall(null)).toEqual({ outcome: 'fail', reason: 'paging_failed', value: 'no_answer' });
  });

  it('all paths arriving passes', async () => {
    paging.local.apply('paging.test', { testId: 't-3' }, { id: 'y', actor: '李四', login: 'lisi' });
    await settle();
    const c = last('t-3');
    expect(c.deliveries.map((d) => [d.channel, d.person, d.state])).toEqual([
      ['sre-dingtalk', null, 'sent'],
      ['voice', '李四', 'sent'],
      ['lisi-sms', '李四', 'sent'],
    ]);
    // 李四's console is not connected: that path did not arrive, so the step does not pass
    expect(c.console).toBe('not_connected');
    expect(readTestCall(c)).toEqual({ outcome: 'fail', reason: 'paging_failed', value: 'sre-dingtalk: sent; voice (李四): sent; lisi-sms (李四): sent; console: not_connected' });
    expect(readTestCall({ ...c, console: 'delivered' })).toMatchObject({ outcome: 'pass', reason: 'paging_arrived' });
  });
});

describe('the timeline entry of a status update', () => {
  const entry = (params: Record<string, string>): Pick<TimelineEntry, 'text' | 'system' | 'author'> => ({ text: '', author: '张三', system: { code: 'comms', params } });
  it('reads queued, per channel (with the provider answer), or why nothing went, in both languages', () => {
    expect(entryText(entry({ phase: 'start', queued: '1', deliveries: '' }), 'en')).toBe(
      'Status update (start) to the incident channels: queued; it goes out when the platform receives it',
    );
    expect(entryText(entry({ phase: 'start', queued: '1', deliveries: '' }), 'zh-CN')).toBe('状态通报（事故通报）发往事故通道：已排队，平台收到后发出');
    const deliveries = JSON.stringify([
      { channel: 'sre-slack', person: null, state: 'sent', attempts: 1, error: null },
      { channel: 'sre-dingtalk', person: null, state: 'dead', attempts: 1, error: 'errcode 310000: sign not match' },
      { channel: 'sms', person: '李四', state: 'retrying', attempts: 2, error: 'HTTP 502' },
    ]);
    expect(entryText(entry({ phase: 'update', deliveries }), 'en')).toBe(
      'Status update (update) to the incident channels: sre-slack arrived; sre-dingtalk not delivered after 1 tries: errcode 310000: sign not match; sms (李四) retrying (2 tries so far): HTTP 502',
    );
    expect(entryText(entry({ phase: 'resolved', deliveries }), 'zh-CN')).toBe(
      '状态通报（恢复通报）发往事故通道：sre-slack 已送达；sre-dingtalk 尝试 1 次后未送达：errcode 310000: sign not match；sms (李四) 重试中（已尝试 2 次）：HTTP 502',
    );
    expect(entryText(entry({ phase: 'start', deliveries: '[]', none: 'no_channels' }), 'zh-CN')).toBe('状态通报（事故通报）发往事故通道：值班表未给此事故配置事故通道');
  });
});

describe('migration 7', () => {
  it('keeps the pages of migration 6 and lets messages belong to a comms instead of a ladder', () => {
    const { dir, cleanup } = tempDir('vigil-mig7-');
    try {
      const file = path.join(dir, 'gateway.db');
      const old = openDatabase(file, { migrations: gatewayMigrations.filter((m) => m.version <= 6) });
      old.prepare("INSERT INTO page_ladders (id, fingerprint, roster_id, policy_id, started_at, level, level_at) VALUES ('l1', 'fp', 'r', 'p', 1, 1, 1)").run();
      old
        .prepare(
          "INSERT INTO page_messages (id, ladder_id, level, channel, type, body, state, attempts, next_at, created_at) VALUES ('l1/1/ch/-', 'l1', 1, 'ch', 'slack', '{}', 'pending', 2, 5, 1)",
        )
        .run();
      old.close();
      const s = openPagingStore(file);
      try {
        expect(s.messages('l1')).toMatchObject([{ id: 'l1/1/ch/-', ladderId: 'l1', commsId: null, maxAttempts: null, attempts: 2, state: 'pending' }]);
        expect(s.dueMessages(10, 10).map((m) => m.id)).toEqual(['l1/1/ch/-']);
        const row = { id: 'c1', kind: 'test' as const, incidentId: null, phase: null, by: 'x', login: null, at: 7, console: null, none: null };
        const msg = { id: 'comms/c1/ch/-', channel: 'ch', type: 'slack' as const, person: null, body: '{}', maxAttempts: 1 };
        expect(s.addComms(row, [msg])).toBe(true);
        expect(s.addComms(row, [msg])).toBe(false);
        expect(s.commsMessages('c1')).toMatchObject([{ ladderId: null, commsId: 'c1', level: 0, maxAttempts: 1, nextAt: 7 }]);
      } finally {
        s.close();
      }
    } finally {
      cleanup();
    }
  });
});
