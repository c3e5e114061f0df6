/**
 * Signing in at the console, against a real gateway whose people are added with the `users` command on its
 * data dir: real cores (the one the desktop app and the browser host run) sign in with personal tokens
 * through `linkSignIn`, and the test checks what each record says and what reaches the gateway:
 * - sign-in tests first and keeps nothing that failed; the console then says who it is;
 * - every action and local record is the signed-in person's; a viewer's actions are refused with the reason;
 * - a revoked token signs the console out (open socket or next connect); queued actions stay queued and go
 *   only when their own person signs in again, never under someone else's credential;
 * - a handover submitted by one person is signed by another, on another console;
 * - incident roles go to people the platform (or a roster) knows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertAction } from '@shared/contract/alerts';
import type { LinkTestResult, OutboxItem } from '@shared/contract/link';
import type { LinkState } from '@shared/domain';
import type { Handover } from '@shared/handover';
import type { IncidentDetail } from '@shared/incidents';
import { startGateway, type Gateway } from '@gateway/server';
import { runUsers } from '@gateway/users-cli';
import { createCore, type Core } from '@core';
import { MemorySecretStore } from '@core/secrets';
import { silentLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';
import { alert, call, testSource, type TestSource } from '../link/helpers';
import { until } from '@test/helpers/until';

let gw: Gateway;
let src: TestSource;
let gwDir: { dir: string; cleanup(): void };
let cleanups: (() => unknown)[] = [];
const tokens: Record<string, string> = {};

async function users(...args: string[]): Promise<string> {
  const out: string[] = [];
  await runUsers([...args, '--data-dir', gwDir.dir], { out: (l) => out.push(l), by: 'cli:test' });
  return out.at(-1)!.replace(/^token: /, '');
}

async function startGw(port = 0) {
  gw = await startGateway({ source: src, dataDir: gwDir.dir, port, log: silentLogger, peoplePollMs: 200 });
}

/** a console with no platform configured, as on a first launch */
function console_(): Core {
  const d = tempDir('vigil-console-id-');
  const c = createCore({
    dataDir: d.dir,
    transport: 'browser',
    secrets: new MemorySecretStore(),
    log: silentLogger,
    platform: {},
  });
  cleanups.push(async () => {
    await c.close();
    d.cleanup();
  });
  return c;
}
const state = (c: Core) => call<LinkState>(c, 'linkState');
async function signIn(c: Core, token: string): Promise<LinkTestResult> {
  const r = await call<LinkTestResult>(c, 'linkSignIn', { url: gw.url, token });
  if (r.ok) await until(async () => (await state(c)).status === 'online', 'online after sign-in');
  return r;
}
const outbox = (c: Core) => call<{ open: OutboxItem[]; recent: OutboxItem[] }>(c, 'outboxList');

beforeAll(async () => {
  gwDir = tempDir('vigil-console-gw-');
  src = testSource([1, 2, 3, 4, 5, 6].map((i) => ({ kind: 'alert.upsert' as const, data: alert(i) })));
  await startGw();
  tokens.zhang = await users('add', 'zhangsan', '--name', '张三', '--role', 'responder');
  tokens.li = await users('add', 'lisi', '--name', '李四', '--role', 'responder');
  tokens.wang = await users('add', 'wangwu', '--name', '王五', '--role', 'viewer');
  tokens.zhao = await users('add', 'zhaoliu', '--name', '赵六', '--role', 'responder');
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
afterAll(async () => {
  await gw?.close();
  gwDir?.cleanup();
});

describe('signing in at the console', () => {
  it('tests first and keeps nothing that failed; then says who it is and acts only as that person', async () => {
    const c = console_();
    expect((await state(c)).session).toMatchObject({ state: 'local' });
    const wrong = await call<LinkTestResult>(c, 'linkSignIn', {
      url: gw.url,
      token: 'vgl_0123456789abcdef_' + 'x'.repeat(43),
    });
    expect(wrong).toMatchObject({ ok: false, code: 'auth_failed', auth: 'wrong' });
    expect((await call<{ platformUrl: string | null }>(c, 'settingsGet')).platformUrl).toBeNull();
    await call(c, 'settingsSet', { operator: 'Somebody Else' });
    const r = await signIn(c, tokens.zhang);
    expect(r).toMatchObject({
      ok: true,
      identity: { login: 'zhangsan', name: '张三', role: 'responder', via: 'token' },
    });
    expect((await state(c)).session).toEqual({
      state: 'signed_in',
      identity: { login: 'zhangsan', name: '张三', role: 'responder', via: 'token' },
      reason: null,
      name: '张三',
      heldActions: 0,
    });
    await until(async () => c.db!.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }, 'alerts');
    await until(() => (c.db!.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n === 6, 'six alerts');
    const [ack] = await call<AlertAction[]>(c, 'alertAck', ['fp000001']);
    await until(() => src.applied.some((a) => a.id === ack.id), 'the ack at the gateway');
    expect(src.applied.find((a) => a.id === ack.id)!.operator).toBe('张三');
    const row = c.db!.prepare('SELECT actor, login, via FROM outbox WHERE id = ?').get(ack.id);
    expect(row).toEqual({ actor: '张三', login: 'zhangsan', via: 'token' });
    const audit = c.db!.prepare(`SELECT DISTINCT actor FROM audit_log WHERE action LIKE '%ack%'`).all();
    expect(audit).toEqual([{ actor: '张三' }]);
  });

  it("refuses a viewer's actions with the reason, before anything is queued", async () => {
    const c = console_();
    expect(await signIn(c, tokens.wang)).toMatchObject({ ok: true, identity: { role: 'viewer' } });
    const r = await c.dispatch('alertAck', [['fp000002']]);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(!r.ok && r.error.message).toMatch(/王五 is a viewer on this platform: this needs the responder role/);
    expect((await outbox(c)).open).toEqual([]);
  });

  it('signs out at once when the token is revoked while connected', async () => {
    const c = console_();
    await signIn(c, tokens.zhao);
    await users('revoke', 'zhaoliu');
    await until(async () => (await state(c)).session.state === 'signed_out', 'signed out', 5000);
    const s = await state(c);
    expect(s).toMatchObject({ status: 'auth_failed', session: { reason: 'revoked', identity: { login: 'zhaoliu' } } });
    const r = await c.dispatch('alertAck', [['fp000003']]);
    expect(r).toMatchObject({ ok: false, error: { code: 'signed_out' } });
  });

  it("keeps queued actions for their own person: another person's sign-in never sends them", async () => {
    const c = console_();
    await signIn(c, tokens.li);
    const port = gw.port;
    await gw.close(); // the platform goes away; 李四 keeps working offline
    await until(async () => (await state(c)).status === 'offline', 'offline');
    const [queued] = await call<AlertAction[]>(c, 'alertAck', ['fp000004']);
    expect((await state(c)).session).toMatchObject({ state: 'signed_in', heldActions: 0 });
    await users('revoke', 'lisi'); // meanwhile an admin revokes 李四
    await startGw(port);
    await call(c, 'linkReconnect');
    await until(async () => (await state(c)).session.state === 'signed_out', 'signed out on reconnect');
    expect((await state(c)).session).toMatchObject({ reason: 'revoked', identity: { login: 'lisi' }, heldActions: 1 });
    expect((await outbox(c)).open.map((e) => [e.id, e.login])).toEqual([[queued.id, 'lisi']]);
    // 张三 signs in at this console: 李四's action stays where it is
    await signIn(c, tokens.zhang);
    expect((await state(c)).session).toMatchObject({
      state: 'signed_in',
      identity: { login: 'zhangsan' },
      heldActions: 1,
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(src.applied.some((a) => a.id === queued.id)).toBe(false);
    // 李四 is back with a new token: the action goes, as 李四
    const again = await users('add', 'lisi', '--name', '李四', '--role', 'responder');
    await signIn(c, again);
    await until(() => src.applied.some((a) => a.id === queued.id), "李四's queued ack at the gateway");
    expect(src.applied.find((a) => a.id === queued.id)!.operator).toBe('李四');
    expect((await state(c)).session.heldActions).toBe(0);
  });

  it('a handover submitted by one person is signed by another, on another console', async () => {
    tokens.li = await users('token', 'lisi');
    const a = console_();
    const b = console_();
    await signIn(a, tokens.zhang);
    await signIn(b, tokens.li);
    const shiftStart = Date.now() - 3_600_000;
    const h = await call<Handover>(a, 'handoverSubmit', { shiftStart, notes: '订单拉取延迟，注意观察' });
    expect(h.outgoing).toBe('张三');
    const own = await a.dispatch('handoverSign', [{ id: h.id }]);
    expect(own).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await until(
      async () => (await call<Handover[]>(b, 'handoversList', {})).some((x) => x.id === h.id),
      'the handover on B',
    );
    const signed = await call<Handover>(b, 'handoverSign', { id: h.id, note: '已接班' });
    expect(signed).toMatchObject({ outgoing: '张三', signedBy: '李四', state: 'signed' });
    await until(
      async () => (await call<Handover[]>(a, 'handoversList', {})).find((x) => x.id === h.id)?.signedBy === '李四',
      'signed on A',
    );
    const doc = gw.store.current('handover').find((e) => e.id === h.id)!.data as { handover: Record<string, unknown> };
    expect(doc.handover).toMatchObject({
      submittedBy: '张三',
      submittedLogin: 'zhangsan',
      signedBy: '李四',
      signedLogin: 'lisi',
    });
  });

  it('gives incident roles only to people the platform or a roster knows', async () => {
    const c = console_();
    await signIn(c, tokens.zhang);
    await until(
      async () => (await call<{ name: string }[]>(c, 'peopleKnown')).some((p) => p.name === '李四'),
      'people',
    );
    const known = await call<{ name: string; login: string | null }[]>(c, 'peopleKnown');
    expect(known.map((p) => p.name)).toEqual(expect.arrayContaining(['张三', '李四', '王五']));
    // revoked people are not offered
    expect(known.map((p) => p.name)).not.toContain('赵六');
    const { incident } = await call<IncidentDetail>(c, 'incidentDeclare', {
      title: '订单同步中断',
      triage: { serviceDown: false, coreAffected: true, uxDegraded: null },
      severity: 'P1',
    });
    expect(incident.declaredBy).toBe('张三');
    await call(c, 'incidentUpdate', incident.id, { roles: { commander: '李四', onCall: '张三' } });
    const r = await c.dispatch('incidentUpdate', [incident.id, { roles: { comms: '路人甲' } }]);
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_person' } });
  });
});
