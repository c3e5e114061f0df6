/**
 * People at the gateway, end to end: a real gateway with the Alertmanager source against a real
 * Alertmanager 0.25 (test/services/alertmanager.ts), its people added by the `users` command on the same
 * data dir while it runs. Two responders and a viewer connect with their personal tokens over raw
 * WebSockets:
 * - each person's ack becomes a silence authored by that person ("ACK by <name>");
 * - a forged `actor` / `operator` changes nothing: the records and the silence name the token's person;
 * - the viewer's ack is `forbidden` and reaches nothing;
 * - a handover is signed by someone other than its submitter;
 * - revoking a token closes that person's open socket (4001) and refuses the next connect (401 revoked);
 * - the shared token still works, every name it records marked "(shared token)";
 * - no token is stored in clear: the gateway's database, WAL and shared-memory files are scanned for each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL } from '@shared/protocol';
import type { Gateway } from '@gateway/server';
import { startGateway } from '@gateway/server';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import { parseToken } from '@gateway/tokens';
import { runUsers } from '@gateway/users-cli';
import { silentLogger } from '@node/log';
import type { Alert } from '@shared/alerts';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { tempDir } from '@test/helpers/tmp';
import { Client } from '../link/helpers';
import { until } from '@test/helpers/until';

const SHARED = 'team-shared-token-0123456789';
let am: AlertmanagerHarness;
let gw: Gateway;
let dir: { dir: string; cleanup(): void };
const tokens: Record<string, string> = {};
const open: Client[] = [];

/** `npm run gateway -- users …` on the running gateway's data dir; returns the printed token, if any */
async function users(...args: string[]): Promise<string | null> {
  const out: string[] = [];
  await runUsers([...args, '--data-dir', dir.dir], { out: (l) => out.push(l), by: 'cli:test' });
  const last = out.at(-1) ?? '';
  return last.startsWith('token: ') ? last.slice(7) : null;
}

async function signIn(token: string, operator = 'Someone Else'): Promise<Client> {
  const c = await Client.open(gw.url, token);
  open.push(c);
  c.send({ type: 'hello', clientId: `it-${uuidv7()}`, protocol: 1, cursor: null, serverId: null, operator });
  await c.next('welcome');
  return c;
}

/** sends one action and waits for its result */
async function act(c: Client, action: string, payload: unknown, extra: object = {}) {
  const id = uuidv7();
  c.send({ type: 'action', id, action, payload, at: Date.now(), ...extra });
  return until(() => c.of('result').find((r) => r.id === id), `the result of ${action}`, 20_000);
}

/** what an upgrade with this bearer token is answered: the HTTP status and X-Vigil-Auth */
const refusal = (token: string) =>
  new Promise<{ status: number; reason: string | undefined }>((resolve, reject) => {
    const ws = new WebSocket(gw.url, [PROTOCOL], { headers: { Authorization: `Bearer ${token}` } });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, reason: res.headers['x-vigil-auth'] as string | undefined });
      ws.terminate();
    });
    ws.once('open', () => (ws.terminate(), reject(new Error('the upgrade was accepted'))));
    ws.once('error', () => undefined);
  });

const firing = (gw: Gateway, alertname: string) =>
  gw.store
    .current('alert')
    .map((e) => e.data as Alert)
    .find((a) => a.alertname === alertname && a.state === 'firing');

beforeAll(async () => {
  am = await startAlertmanager();
  dir = tempDir('vigil-identity-');
  const source = createAlertmanagerSource({
    alertmanagerUrl: am.url,
    pollIntervalMs: 500,
    requestTimeoutMs: 3000,
    warn: () => {},
  });
  gw = await startGateway({ source, token: SHARED, dataDir: dir.dir, port: 0, log: silentLogger, peoplePollMs: 200 });
  // added while the gateway runs, from "another process" (its own connection to gateway.db)
  tokens.zhang = (await users('add', 'zhangsan', '--name', '张三', '--role', 'responder'))!;
  tokens.li = (await users('add', 'lisi', '--name', '李四', '--role', 'responder', '--expires', '90d'))!;
  tokens.wang = (await users('add', 'wangwu', '--name', '王五', '--role', 'viewer'))!;
  await am.postAlerts(
    ['DiskFull', 'QueueBacklog', 'ViewerProbe', 'SharedProbe'].map((alertname) => ({
      labels: { alertname, severity: 'critical', service: 'ef-orders' },
    })),
  );
  await until(
    () => ['DiskFull', 'QueueBacklog', 'ViewerProbe', 'SharedProbe'].every((n) => firing(gw, n)),
    'four firing alerts',
  );
}, 60_000);

afterAll(async () => {
  for (const c of open) c.ws.terminate();
  await gw?.close();
  await am?.stop();
  dir?.cleanup();
});

describe('people at the gateway with a real Alertmanager', () => {
  it('tells each console who it is in the welcome, whatever name it says', async () => {
    const c = await signIn(tokens.zhang, 'Admin Person');
    expect(c.of('welcome')[0]).toMatchObject({
      operator: '张三',
      identity: { login: 'zhangsan', name: '张三', role: 'responder', via: 'token' },
    });
    // the people directory reaches every console as events
    c.send({ type: 'hello', clientId: 'it-dir', protocol: 1, cursor: null, serverId: null });
    const people = await until(() => {
      const items = c.of('snapshot').flatMap((f) => f.items as { kind: string; data: { login: string } }[]);
      const found = items.filter((i) => i.kind === 'person.upsert').map((i) => i.data.login);
      return found.length === 3 && found;
    }, 'three people in the snapshot');
    expect(people.sort()).toEqual(['lisi', 'wangwu', 'zhangsan']);
  });

  it("each person's ack is a silence authored by that person; a forged actor and operator change nothing", async () => {
    const zhang = await signIn(tokens.zhang, '李四');
    const li = await signIn(tokens.li);
    const disk = firing(gw, 'DiskFull')!;
    const queue = firing(gw, 'QueueBacklog')!;
    // 张三 claims to be 李四, twice over (hello operator and action actor)
    const r1 = await act(zhang, 'alert.ack', { fingerprint: disk.fingerprint, note: 'on it' }, { actor: '李四' });
    const r2 = await act(li, 'alert.ack', { fingerprint: queue.fingerprint });
    expect([r1.ok, r2.ok]).toEqual([true, true]);
    const silences = await am.silences();
    const bySilence = (fp: Alert) =>
      silences.find((s) => s.comment.startsWith('ACK by') && s.matchers.some((m) => m.value === fp.alertname))!;
    expect(bySilence(disk)).toMatchObject({ comment: 'ACK by 张三: on it' });
    expect(bySilence(disk).createdBy).toMatch(/^张三 \[vigil:/);
    expect(bySilence(queue)).toMatchObject({ comment: 'ACK by 李四' });
    expect(bySilence(queue).createdBy).toMatch(/^李四 \[vigil:/);
    await until(
      () => firing(gw, 'DiskFull')?.ackedBy === '张三' && firing(gw, 'QueueBacklog')?.ackedBy === '李四',
      'acks shown',
    );
    const db = (gw.store as unknown as { db: import('better-sqlite3').Database }).db;
    const audit = db.prepare(`SELECT actor, login, action FROM audit WHERE action = 'alert.ack' ORDER BY id`).all();
    expect(audit).toEqual([
      { actor: '张三', login: 'zhangsan', action: 'alert.ack' },
      { actor: '李四', login: 'lisi', action: 'alert.ack' },
    ]);
    expect(db.prepare(`SELECT count(*) AS n FROM actions WHERE actor = '李四' AND login = 'zhangsan'`).get()).toEqual({
      n: 0,
    });
  });

  it("refuses the viewer's ack as forbidden; nothing reaches Alertmanager", async () => {
    const wang = await signIn(tokens.wang);
    const before = (await am.silences()).length;
    const probe = firing(gw, 'ViewerProbe')!;
    const r = await act(wang, 'alert.ack', { fingerprint: probe.fingerprint });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((r.error as { message: string }).message).toMatch(/王五 is a viewer here/);
    const declared = await act(wang, 'incident.declare', {
      incidentId: 'inc-viewer',
      title: 'x',
      severity: 'P2',
      proposedSeverity: null,
      fingerprints: [],
    });
    expect(declared).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await am.silences()).length).toBe(before);
    expect(gw.store.current('incident')).toEqual([]);
  });

  it('records incidents as the credential says, and a handover is signed by someone other than its submitter', async () => {
    const zhang = await signIn(tokens.zhang);
    const li = await signIn(tokens.li);
    const d = await act(
      zhang,
      'incident.declare',
      { incidentId: 'inc-1', title: 'Orders stuck', severity: 'P1', proposedSeverity: 'P1', fingerprints: [] },
      { actor: 'Somebody Important' },
    );
    expect(d.ok).toBe(true);
    await act(
      li,
      'incident.timeline',
      { incidentId: 'inc-1', entryId: 'e1', kind: 'note', text: 'restarted consumer', at: 1 },
      { actor: '张三' },
    );
    const inc = gw.store.current('incident')[0].data as {
      incident: { declaredBy: string; timeline: { author: string }[] };
    };
    expect(inc.incident.declaredBy).toBe('张三');
    expect(inc.incident.timeline.map((e) => e.author)).toEqual(['李四']);
    expect((await act(zhang, 'handover.submit', { handoverId: 'h-1', record: { shift: 'night' } })).ok).toBe(true);
    const self = await act(zhang, 'handover.sign', { handoverId: 'h-1', signedBy: '李四' });
    expect(self).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const signed = await act(li, 'handover.sign', { handoverId: 'h-1', signedBy: 'Forged Name', note: 'taken over' });
    expect(signed.ok).toBe(true);
    const h = gw.store.current('handover')[0].data as { handover: Record<string, unknown> };
    expect(h.handover).toMatchObject({
      submittedBy: '张三',
      submittedLogin: 'zhangsan',
      signedBy: '李四',
      signedLogin: 'lisi',
    });
  });

  it('marks every name the shared token records as unproven, in the gateway and in Alertmanager', async () => {
    const c = await signIn(SHARED, 'Zhao Liu');
    expect(c.of('welcome')[0]).toMatchObject({
      operator: 'Zhao Liu (shared token)',
      identity: { login: null, name: 'Zhao Liu', role: 'responder', via: 'shared' },
    });
    const probe = firing(gw, 'SharedProbe')!;
    expect((await act(c, 'alert.ack', { fingerprint: probe.fingerprint }, { actor: 'Zhao Liu' })).ok).toBe(true);
    const s = (await am.silences()).find((x) => x.matchers.some((m) => m.value === 'SharedProbe'))!;
    expect(s.comment).toBe('ACK by Zhao Liu (shared token)');
    expect(s.createdBy).toMatch(/^Zhao Liu \(shared token\) \[vigil:/);
  });

  it('revoking a person closes their open socket at once and refuses their next connect; others stay', async () => {
    const li = await signIn(tokens.li);
    const zhang = await signIn(tokens.zhang);
    await users('revoke', 'lisi');
    await until(() => li.closed, "李四's socket closed", 5000);
    expect(li.closed).toEqual({ code: 4001, reason: 'the token of lisi was revoked' });
    expect(li.of('error').at(-1)).toMatchObject({ error: { code: 'credential_revoked' }, fatal: true });
    expect(await refusal(tokens.li)).toEqual({ status: 401, reason: 'revoked' });
    expect(zhang.closed).toBeNull();
    const ping = Date.now();
    zhang.send({ type: 'ping', t: ping });
    await until(() => zhang.of('pong').some((p) => p.t === ping), 'zhang still answered');
    expect(await refusal('vgl_0123456789abcdef_' + 'x'.repeat(43))).toEqual({ status: 401, reason: 'wrong' });
  });

  it('keeps no token in clear: not in gateway.db, its WAL or its shared memory', async () => {
    const files = ['gateway.db', 'gateway.db-wal', 'gateway.db-shm']
      .map((f) => path.join(dir.dir, f))
      .filter((f) => fs.existsSync(f));
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
    expect(bytes.includes(Buffer.from('scrypt$'))).toBe(true);
    for (const [who, token] of Object.entries(tokens)) {
      const { secret } = parseToken(token)!;
      expect(bytes.includes(Buffer.from(token)), `${who}'s token`).toBe(false);
      expect(bytes.includes(Buffer.from(secret)), `${who}'s secret`).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'base64url')), `${who}'s secret bytes`).toBe(false);
    }
    expect(bytes.includes(Buffer.from(SHARED))).toBe(false);
  });
});
