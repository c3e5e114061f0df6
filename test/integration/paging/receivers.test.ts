/**
 * Outbound pages against a real loopback HTTP receiver per vendor (test/services/im-receivers.ts), which
 * checks each request exactly as the vendor documents it and answers as the vendor does. The gateway's runner
 * and deliverer run as in production (real HTTP, real SQLite outbox); time (ladders, backoff, rate windows,
 * request timeouts, the vendors' timestamp checks) is a fake clock both sides share.
 *
 * Per vendor: delivered with the right URL, signature and body; the vendor's error body for a bad credential
 * goes to the dead letters at once with the vendor's answer; the vendor's rate limit is waited out and the
 * message delivered; server errors are retried with backoff until maxAttempts, then dead; no answer within
 * the channel's timeout is retried; the gateway's own per-channel rate limit keeps under the vendor's. Two
 * deliverers on one outbox (replicas overlapping) send each message once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import type { ChannelInput } from '@shared/paging';
import { RosterDocumentSchema } from '@shared/roster';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { createPaging, type Paging } from '@gateway/paging';
import { createDeliverer } from '@gateway/paging/deliver';
import type { MessageRow, PagingStore } from '@gateway/paging/store';
import { openPagingStore } from '@gateway/sqlite/paging';
import { firingAlert } from '@test/helpers/alerts';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { startReceiver, type Receiver, type ReceiverOptions, type Vendor } from '@test/services/im-receivers';

const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
const FEISHU_SECRET = 'feishu-signing-secret-Zx81';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Rig {
  clock: FakeClock;
  store: PagingStore;
  paging: Paging;
  receiver: Receiver;
  /** the outbox's database */
  file: string;
  /** every message, in insertion order */
  messages(): MessageRow[];
  /** lets the deliverer finish what is in flight */
  settle(): Promise<void>;
}

async function rig(vendor: Vendor, channel: (base: string) => ChannelInput, recv: Omit<ReceiverOptions, 'now'>, o: { alerts?: number; env?: Record<string, string>; settle?: boolean } = {}): Promise<Rig> {
  const clock = new FakeClock(Date.now());
  const receiver = await startReceiver(vendor, { ...recv, now: () => clock.now() });
  const { dir, cleanup } = tempDir('vigil-recv-');
  const file = path.join(dir, 'gateway.db');
  const store = openPagingStore(file);
  const doc = RosterDocumentSchema.parse({
    people: [{ id: 'zhangsan', name: '张三', phone: '+86 131 5550 0101', login: 'zhangsan', im: { wecom: 'zhangsan' } }],
    channels: [channel(receiver.url)],
    policies: [{ id: 'p1', name: 'SRE P1', match: { severity: 'P1' }, levels: [{ name: 'on call', afterMinutes: 0, targets: [{ person: 'zhangsan' }], channels: ['ch'] }] }],
  });
  const alerts: Alert[] = Array.from({ length: o.alerts ?? 1 }, (_, i) =>
    firingAlert({ fingerprint: `fp${i}`, alertname: 'HighErrorRate', severity: 'P1', annotations: { summary: '5xx over 5%', runbook_url: 'https://wiki.example.com/rb/5xx' } }),
  );
  const paging = createPaging({
    roster: () => ({ id: 'r', name: 'r', doc }),
    store,
    clock,
    log: silentLogger,
    alerts: () => alerts,
    loginOf: (p) => p.login,
    connected: () => false,
    emit: () => undefined,
    env: o.env ?? {},
    backoff: { baseMs: 5_000, maxMs: 60_000 },
  });
  cleanups.push(cleanup, () => store.close(), () => paging.stop(), () => receiver.close());
  paging.start();
  clock.advance(0);
  const settle = async () => {
    await paging.deliverer.idle();
    // a pass that was asked for while one ran
    await new Promise((r) => setImmediate(r));
    await paging.deliverer.idle();
  };
  if (o.settle !== false) await settle();
  return {
    clock,
    store,
    paging,
    receiver,
    file,
    messages: () => store.openLadders().flatMap((l) => store.messages(l.id)),
    settle,
  };
}

/** moves the fake clock by `ms` and lets the deliveries it starts finish */
async function advance(r: Rig, ms: number) {
  r.clock.advance(ms);
  await r.settle();
}

describe('DingTalk group robot', () => {
  const channel = (base: string): ChannelInput => ({
    id: 'ch',
    type: 'dingtalk',
    url: `${base}/robot/send?access_token=TOKEN1`,
    secretEnv: 'DING_SECRET',
    atMobiles: ['+86 131 5550 0199'],
  });

  it('sends the signed URL (ms timestamp, HMAC-SHA256 of "timestamp\\nsecret", urlencoded) and the text body with @mobiles', async () => {
    const r = await rig('dingtalk', channel, { token: 'TOKEN1', secret: DING_SECRET }, { env: { DING_SECRET } });
    expect(r.receiver.requests).toHaveLength(1);
    const q = r.receiver.requests[0];
    expect(q.query.get('timestamp')).toBe(String(r.clock.now()));
    expect(q.answer.body).toBe('{"errcode":0,"errmsg":"ok"}');
    expect(q.json).toMatchObject({ msgtype: 'text', at: { atMobiles: ['13155500199', '13155500101'], isAtAll: false } });
    expect((q.json as { text: { content: string } }).text.content).toContain('【P1】HighErrorRate');
    expect(r.messages()[0]).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
  });

  it("a wrong secret gets DingTalk's errcode 310000 and goes to the dead letters at once, with the answer", async () => {
    const r = await rig('dingtalk', channel, { token: 'TOKEN1', secret: DING_SECRET }, { env: { DING_SECRET: 'SECwrong' } });
    expect(r.receiver.requests[0].answer.body).toContain('"errcode":310000');
    expect(r.messages()[0]).toMatchObject({ state: 'dead', attempts: 1 });
    expect(r.messages()[0].lastError).toMatch(/^errcode 310000: sign not match/);
    expect(r.store.deadLetters(10).map((m) => m.id)).toEqual([r.messages()[0].id]);
  });

  it('an unknown token (errcode 300001) is dead too', async () => {
    const r = await rig('dingtalk', channel, { token: 'OTHER', secret: DING_SECRET }, { env: { DING_SECRET } });
    expect(r.messages()[0]).toMatchObject({ state: 'dead', lastError: 'errcode 300001: token is not exist' });
  });

  it('keeps under 20 a minute itself: 25 pages go out as 20 now and 5 a minute later, never "send too fast"', async () => {
    const r = await rig('dingtalk', channel, { token: 'TOKEN1', secret: DING_SECRET, ratePerMinute: 20 }, { env: { DING_SECRET }, alerts: 25 });
    expect(r.receiver.delivered()).toHaveLength(20);
    expect(r.messages().filter((m) => m.state === 'pending')).toHaveLength(5);
    await advance(r, 59_000);
    expect(r.receiver.delivered()).toHaveLength(20);
    await advance(r, 1_000);
    expect(r.receiver.delivered()).toHaveLength(25);
    expect(r.receiver.requests.some((q) => q.answer.body.includes('130101'))).toBe(false);
    expect(r.messages().every((m) => m.state === 'sent' && m.attempts === 1)).toBe(true);
  });

  it('waits out "send too fast" (130101) from a robot shared with others, then delivers', async () => {
    // the robot already took its 20 this minute elsewhere: it answers 130101 until the window moves
    const r = await rig('dingtalk', channel, { token: 'TOKEN1', secret: DING_SECRET, ratePerMinute: 0 }, { env: { DING_SECRET } });
    expect(r.messages()[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(r.messages()[0].lastError).toContain('errcode 130101');
    expect(r.messages()[0].nextAt).toBe(r.clock.now() + 60_000);
    expect(r.receiver.requests).toHaveLength(1);
  });

  it('retries server errors with backoff (5 s, 10 s, 20 s …) and gives up after maxAttempts with the last answer', async () => {
    const r = await rig('dingtalk', (b) => ({ ...channel(b), maxAttempts: 3 }), { token: 'TOKEN1', secret: DING_SECRET, fail: () => true }, { env: { DING_SECRET } });
    expect(r.messages()[0]).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 502: Bad Gateway' });
    await advance(r, 4_999);
    expect(r.receiver.requests).toHaveLength(1);
    await advance(r, 1);
    expect(r.receiver.requests).toHaveLength(2);
    await advance(r, 10_000);
    expect(r.receiver.requests).toHaveLength(3);
    expect(r.messages()[0]).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 502: Bad Gateway' });
    await advance(r, 600_000);
    expect(r.receiver.requests).toHaveLength(3);
  });

  it('gives up on a request with no answer after the timeout, and delivers on the retry', async () => {
    const r = await rig('dingtalk', (b) => ({ ...channel(b), timeoutMs: 2_000 }), { token: 'TOKEN1', secret: DING_SECRET, hang: (n) => n === 1 }, { env: { DING_SECRET }, settle: false });
    await until(() => r.receiver.requests.length === 1, 'the first request');
    r.clock.advance(1_999);
    expect(r.messages()[0].attempts).toBe(0);
    r.clock.advance(1);
    await until(() => r.messages()[0].attempts === 1, 'the timeout');
    expect(r.messages()[0]).toMatchObject({ state: 'pending', lastError: 'no answer within 2000 ms' });
    await advance(r, 5_000);
    expect(r.messages()[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });
});

describe('one outbox, two deliverers', () => {
  const channel = (base: string): ChannelInput => ({ id: 'ch', type: 'dingtalk', url: `${base}/robot/send?access_token=TOKEN1`, secretEnv: 'DING_SECRET' });

  it('two deliverers on one outbox (two replicas overlapping for a moment) send each message once', async () => {
    const r = await rig('dingtalk', channel, { token: 'TOKEN1', secret: DING_SECRET }, { alerts: 5, env: { DING_SECRET }, settle: false });
    // the other replica's deliverer, on its own connection, started at the same moment
    const other = openPagingStore(r.file);
    const second = createDeliverer({ store: other, clock: r.clock, log: silentLogger, channels: () => r.paging.runner.channels(), env: { DING_SECRET }, onChanged: () => undefined });
    cleanups.push(() => other.close(), () => second.stop());
    second.start();
    await until(() => r.messages().every((m) => m.state === 'sent'), 'every message sent');
    await second.idle();
    await r.settle();
    expect(r.messages()).toHaveLength(5);
    expect(r.receiver.requests).toHaveLength(5);
    expect(r.messages().map((m) => m.attempts)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('WeCom group robot', () => {
  const channel = (base: string): ChannelInput => ({ id: 'ch', type: 'wecom', url: `${base}/cgi-bin/webhook/send?key=KEY-1`, mentionedList: ['@all'] });

  it('sends text with mentioned_list (the paged people\'s userids) and mentioned_mobile_list, content within 2048 bytes', async () => {
    const r = await rig('wecom', channel, { token: 'KEY-1' });
    const q = r.receiver.requests[0];
    expect(q.answer.body).toBe('{"errcode":0,"errmsg":"ok"}');
    expect(q.json).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['@all', 'zhangsan'], mentioned_mobile_list: ['13155500101'] } });
    expect(r.messages()[0].state).toBe('sent');
  });

  it('an invalid key (errcode 93000) is dead at once; "api freq out of limit" (45009) is retried', async () => {
    const bad = await rig('wecom', channel, { token: 'OTHER' });
    expect(bad.messages()[0]).toMatchObject({ state: 'dead', lastError: 'errcode 93000: invalid webhook url' });
    const limited = await rig('wecom', channel, { token: 'KEY-1', ratePerMinute: 0 });
    expect(limited.messages()[0]).toMatchObject({ state: 'pending', lastError: 'errcode 45009: api freq out of limit' });
  });
});

describe('Feishu / Lark custom bot', () => {
  const channel = (base: string): ChannelInput => ({ id: 'ch', type: 'feishu', url: `${base}/open-apis/bot/v2/hook/HOOK-1`, secretFile: '', language: 'en' });

  async function withSecretFile(secret: string) {
    const { dir, cleanup } = tempDir('vigil-feishu-');
    cleanups.push(cleanup);
    const file = path.join(dir, 'feishu.secret');
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return file;
  }

  it('signs in the body (seconds timestamp as a string, HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing), secret from a file', async () => {
    const file = await withSecretFile(FEISHU_SECRET);
    const r = await rig('feishu', (b) => ({ ...channel(b), secretFile: file }), { token: 'HOOK-1', secret: FEISHU_SECRET });
    const q = r.receiver.requests[0];
    expect(q.answer.body).toBe('{"code":0,"msg":"success","data":{}}');
    expect((q.json as { timestamp: string }).timestamp).toBe(String(Math.floor(r.clock.now() / 1000)));
    expect((q.json as { content: { text: string } }).content.text).toContain('[P1] HighErrorRate — level 1/1 (on call)');
    expect(r.messages()[0].state).toBe('sent');
  });

  it('a wrong secret gets code 19021 and is dead; "frequency limited" (11232) is retried', async () => {
    const wrong = await withSecretFile('not-the-secret');
    const r = await rig('feishu', (b) => ({ ...channel(b), secretFile: wrong }), { token: 'HOOK-1', secret: FEISHU_SECRET });
    expect(r.messages()[0]).toMatchObject({ state: 'dead' });
    expect(r.messages()[0].lastError).toMatch(/^code 19021: sign match fail/);
    const right = await withSecretFile(FEISHU_SECRET);
    const limited = await rig('feishu', (b) => ({ ...channel(b), secretFile: right }), { token: 'HOOK-1', secret: FEISHU_SECRET, ratePerMinute: 0 });
    expect(limited.messages()[0]).toMatchObject({ state: 'pending', lastError: 'code 11232: frequency limited' });
  });
});

describe('Slack incoming webhook', () => {
  const channel = (base: string): ChannelInput => ({ id: 'ch', type: 'slack', url: `${base}/services/T000/B000/XXXX`, language: 'en' });

  it('posts text and mrkdwn blocks; "ok" is delivered', async () => {
    const r = await rig('slack', channel, { token: 'T000/B000/XXXX' });
    expect(r.receiver.requests[0].answer).toEqual({ status: 200, body: 'ok' });
    expect(r.receiver.requests[0].json).toMatchObject({ text: '[P1] HighErrorRate — level 1/1 (on call)', blocks: [{ type: 'section', text: { type: 'mrkdwn' } }] });
    expect(r.messages()[0].state).toBe('sent');
  });

  it('a revoked webhook (404 no_service) is dead; 429 with Retry-After is retried no sooner', async () => {
    const revoked = await rig('slack', channel, { token: 'T000/B000/OTHER' });
    expect(revoked.messages()[0]).toMatchObject({ state: 'dead', lastError: 'HTTP 404: no_service' });
    const limited = await rig('slack', channel, { token: 'T000/B000/XXXX', ratePerMinute: 0 });
    expect(limited.messages()[0]).toMatchObject({ state: 'pending', lastError: 'HTTP 429: rate_limited' });
    // Retry-After: 1 s, but the backoff (5 s) is longer
    expect(limited.messages()[0].nextAt).toBe(limited.clock.now() + 5_000);
  });
});

describe('generic webhook (SMS / voice relay)', () => {
  const channel = (base: string): ChannelInput => ({
    id: 'ch',
    type: 'webhook',
    url: `${base}/sms/send`,
    secretEnv: 'SMS_TOKEN',
    headers: { Authorization: 'Bearer {{secret}}' },
    body: { to: '{{phone}}', template: 'SMS_123', params: { name: '{{person}}', alert: '{{alert}}', level: '{{level}}', link: '{{link}}' } },
  });

  it('fills the body template per person and sends the secret only in the header', async () => {
    const r = await rig('webhook', channel, { token: 'sms/send', secret: 'sms-token-1', webhookKeys: ['to', 'template', 'params'] }, { env: { SMS_TOKEN: 'sms-token-1' } });
    const q = r.receiver.requests[0];
    expect(q.answer.status).toBe(200);
    expect(q.json).toEqual({ to: '13155500101', template: 'SMS_123', params: { name: '张三', alert: 'HighErrorRate', level: '1', link: 'vigil://alert/fp0' } });
    expect(q.body).not.toContain('sms-token-1');
    expect(r.messages()[0]).toMatchObject({ state: 'sent', person: 'zhangsan' });
  });

  it('a refused credential (401) is dead with the provider\'s body', async () => {
    const r = await rig('webhook', channel, { token: 'sms/send', secret: 'sms-token-1' }, { env: { SMS_TOKEN: 'other' } });
    expect(r.messages()[0]).toMatchObject({ state: 'dead' });
    expect(r.messages()[0].lastError).toBe('HTTP 401: {"code":"Unauthorized","message":"bad credential"}');
  });
});
