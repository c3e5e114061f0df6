/**
 * The real core (all feature modules and their appliers) against the real gateway on loopback, with an
 * in-test Source standing in for the upstream (the real sources are tested by the sources work; this one
 * lets each test decide what the upstream says and when an action lands).
 *
 * Fault tests: the gateway killed mid-stream and restarted, the client cut mid-snapshot, the client
 * restarted with actions pending or in flight. Afterwards the client's store equals the gateway's state
 * and every action was applied upstream exactly once.
 */
import { FakeClock, type Clock } from '@node/clock';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkState } from '@shared/domain';
import type { OutboxItem } from '@shared/contract/link';
import type { Gateway } from '@gateway/server';
import type { Core } from '@core';
import { tempDir } from '@test/helpers/tmp';
import {
  alert,
  alertCount,
  call,
  core,
  fingerprints,
  gateway,
  gatewayFingerprints,
  testSource,
  type TestSource,
} from './helpers';
import { until } from '@test/helpers/until';

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
function dir() {
  const d = tempDir('vigil-sync-');
  cleanups.push(d.cleanup);
  return d.dir;
}
async function gw(src: TestSource, d: string, extra = {}): Promise<Gateway> {
  const g = await gateway(src, d, extra);
  cleanups.push(() => g.close());
  return g;
}
function client(d: string, url: string, token?: string | null, clock?: Clock): Core {
  const c = core(d, url, token, clock);
  cleanups.push(() => c.close());
  return c;
}
const state = (c: Core) => call<LinkState>(c, 'linkState');
const cursorOf = (c: Core) =>
  (c.db!.prepare('SELECT cursor FROM sync_cursor').get() as { cursor: number } | undefined)?.cursor ?? null;
const converged = (c: Core, g: Gateway) =>
  cursorOf(c) === g.store.head() && fingerprints(c).join() === gatewayFingerprints(g).join();
const alerts = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(from + i) }));

describe('sync', () => {
  it('takes a snapshot, then live events, and shows online with the cursor', async () => {
    const src = testSource(alerts(0, 50));
    const g = await gw(src, dir());
    const c = client(dir(), g.url);
    await until(() => alertCount(c) === 50, 'the snapshot');
    src.emit([{ kind: 'alert.remove', data: { fingerprint: alert(3).fingerprint } }, ...alerts(100, 2)]);
    await until(() => converged(c, g), 'live events');
    expect(await state(c)).toMatchObject({ status: 'online', cursor: 53, pendingActions: 0, snapshot: null });
  });

  it('gateway killed mid-stream and restarted on the same data: the client resumes from its cursor and converges', async () => {
    const src = testSource(alerts(0, 100));
    const gdir = dir();
    let g = await gw(src, gdir);
    const port = g.port;
    const c = client(dir(), g.url);
    await until(() => alertCount(c) === 100, 'the snapshot');
    const snapshotsBefore = (await call<{ snapshots: number }>(c, 'linkStats')).snapshots;
    // a burst in flight when the gateway dies
    for (let i = 0; i < 20; i++) src.emit(alerts(1000 + i * 50, 50));
    await g.kill();
    await until(async () => (await state(c)).status === 'offline', 'offline');
    const offline = await state(c);
    expect(offline.lastError).toBeTruthy();
    const src2 = testSource();
    g = await gw(src2, gdir, { port });
    src2.emit([...alerts(5000, 10), { kind: 'alert.remove', data: { fingerprint: alert(1).fingerprint } }]);
    await until(() => converged(c, g), 'convergence after restart', 30_000);
    expect(alertCount(c)).toBe(g.store.current('alert').length);
    expect((await state(c)).status).toBe('online');
    // it resumed with events, not a second snapshot
    expect((await call<{ snapshots: number }>(c, 'linkStats')).snapshots).toBe(snapshotsBefore);
  });

  it('client cut mid-snapshot keeps its old cache intact, then takes the snapshot again and converges', async () => {
    const src = testSource(alerts(0, 20));
    const g = await gw(src, dir(), { chunkItems: 200 });
    const cdir = dir();
    let c = client(cdir, g.url);
    await until(() => alertCount(c) === 20, 'a first cache');
    await c.close();
    // the platform grows while the client is away: the next snapshot is big
    src.emit([{ kind: 'alert.remove', data: { fingerprint: alert(0).fingerprint } }]);
    for (let i = 0; i < 10; i++) src.emit(alerts(100 + i * 1000, 1000));
    // a cursor from another server forces a snapshot on the next connect
    const db = (await import('@core/store/open')).openCoreDatabase(`${cdir}/vigil.db`);
    db.prepare("UPDATE sync_cursor SET server_id = 'another-server'").run();
    db.close();
    c = client(cdir, g.url);
    let killed: Promise<void> | null = null;
    const victim = c;
    // killed the moment a chunk (not the last) has arrived: deterministic, not a race with the download
    c.on((name, payload) => {
      const snap = name === 'linkState' ? (payload as LinkState).snapshot : null;
      if (!killed && snap && snap.received > 0 && snap.received < snap.total) killed = victim.close();
    });
    await until(() => killed !== null, 'the snapshot under way');
    await killed;
    c = client(cdir, g.url);
    // nothing of the half snapshot was stored: the old cache is whole
    expect(alertCount(c)).toBe(20);
    await until(() => converged(c, g), 'the full snapshot', 30_000);
    expect(alertCount(c)).toBe(10_019);
  });

  it('network cut mid-snapshot (gateway drops the socket): the client retries and converges', async () => {
    const src = testSource(alerts(0, 5000));
    const gdir = dir();
    let g = await gw(src, gdir, { chunkItems: 100 });
    const port = g.port;
    const c = client(dir(), g.url);
    const seen: LinkState[] = [];
    c.on((name, payload) => name === 'linkState' && seen.push(payload as LinkState));
    await until(() => seen.some((s) => (s.snapshot?.received ?? 0) > 0), 'the snapshot under way');
    await g.kill();
    // chunks already in the socket may still complete it, but never a part of it
    expect([0, 5000]).toContain(alertCount(c));
    g = await gw(testSource(), gdir, { port, chunkItems: 100 });
    await until(() => converged(c, g), 'convergence', 30_000);
    expect(alertCount(c)).toBe(5000);
  });

  it('actions submitted offline wait in the outbox, survive a client restart, and are applied once after reconnect', async () => {
    const src = testSource(alerts(0, 5));
    const gdir = dir();
    let g = await gw(src, gdir);
    const port = g.port;
    const cdir = dir();
    let c = client(cdir, g.url);
    await until(() => alertCount(c) === 5, 'the snapshot');
    await g.kill();
    await until(async () => (await state(c)).status === 'offline', 'offline');
    const off = await state(c);
    await call(c, 'alertAck', [alert(0).fingerprint, alert(1).fingerprint], { note: 'on it' });
    await call(c, 'alertAck', [alert(2).fingerprint]);
    const pending = await call<{ open: OutboxItem[] }>(c, 'outboxList');
    expect(pending.open.map((e) => e.state)).toEqual(['pending', 'pending', 'pending']);
    expect((await state(c)).pendingActions).toBe(3);
    expect((await state(c)).since).toBe(off.since); // "offline since" is the moment the link was lost
    await c.close(); // the client restarts while its actions wait
    const src2 = testSource();
    g = await gw(src2, gdir, { port });
    c = client(cdir, g.url);
    await until(async () => (await state(c)).pendingActions === 0, 'the outbox to drain');
    expect(src2.applied.map((a) => a.payload)).toEqual(pending.open.map((e) => e.payload));
    expect(src2.applied.map((a) => a.id)).toEqual(pending.open.map((e) => e.id));
    const after = await call<{ recent: OutboxItem[] }>(c, 'outboxList');
    expect(after.recent.filter((e) => e.state === 'acked')).toHaveLength(3);
  });

  it('a client killed after sending but before the result resends the same id; the gateway applies it once', async () => {
    const src = testSource(alerts(0, 2));
    const g = await gw(src, dir());
    const cdir = dir();
    let c = client(cdir, g.url);
    await until(() => alertCount(c) === 2, 'the snapshot');
    const release = src.hold();
    await call(c, 'alertAck', [alert(0).fingerprint]);
    await until(() => src.entered === 1, 'the action to reach the upstream');
    const [sent] = (await call<{ open: OutboxItem[] }>(c, 'outboxList')).open;
    expect(sent).toMatchObject({ state: 'sent', attempts: 1 });
    await c.close(); // killed with the result still to come
    release();
    await until(() => src.applied.length === 1, 'the first apply to finish');
    c = client(cdir, g.url);
    await until(async () => (await state(c)).pendingActions === 0, 'the replayed result');
    expect(src.applied.map((a) => a.id)).toEqual([sent.id]);
    const [done] = (await call<{ recent: OutboxItem[] }>(c, 'outboxList')).recent;
    expect(done).toMatchObject({ id: sent.id, state: 'acked', attempts: 2 });
  });

  it('a failed action shows its reason; retry sends it as a new action, discard drops a pending one', async () => {
    const src = testSource(alerts(0, 3));
    src.outcome = () => ({
      ok: false,
      error: { code: 'upstream_error', message: 'Alertmanager answered 500: internal error' },
    });
    const g = await gw(src, dir());
    const c = client(dir(), g.url);
    await until(() => alertCount(c) === 3, 'the snapshot');
    const results: unknown[] = [];
    c.on((name, payload) => name === 'outboxResult' && results.push(payload));
    await call(c, 'alertAck', [alert(0).fingerprint]);
    await until(() => results.length === 1, 'the result');
    const [failed] = (await call<{ open: OutboxItem[] }>(c, 'outboxList')).open;
    expect(failed).toMatchObject({
      state: 'failed',
      errorCode: 'upstream_error',
      lastError: 'Alertmanager answered 500: internal error',
    });
    src.outcome = () => ({ ok: true });
    const fresh = await call<OutboxItem>(c, 'outboxRetry', failed.id);
    await until(async () => (await call<{ open: OutboxItem[] }>(c, 'outboxList')).open.length === 0, 'the retry');
    expect(src.applied.map((a) => a.id)).toEqual([failed.id, fresh.id]);
    const r = await c.dispatch('outboxDiscard', [fresh.id]);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_state' } });
  });

  it('a wrong token: auth failed, no retry storm, store unchanged; the right token connects', async () => {
    const src = testSource(alerts(0, 3));
    const g = await gw(src, dir());
    // the console's retry timers run on this clock: walking it shows whether any retry is scheduled
    const clock = new FakeClock(Date.now());
    const c = client(dir(), g.url, null, clock);
    await until(async () => (await state(c)).status === 'auth_failed', 'no token');
    expect((await state(c)).lastError).toMatch(/no platform token is stored/);
    expect((await state(c)).session).toMatchObject({ state: 'signed_out', reason: 'missing' });
    await call(c, 'linkSetToken', 'definitely-wrong');
    await until(async () => /refused the sign-in: the token is not known/.test((await state(c)).lastError ?? ''), 'refused');
    expect((await state(c)).status).toBe('auth_failed');
    expect((await state(c)).session).toMatchObject({ state: 'signed_out', reason: 'wrong' });
    expect(alertCount(c)).toBe(0);
    const metric = async () =>
      Number(
        /vigil_gateway_auth_failures_total\{[^}]*\} (\d+)/.exec(
          await (await fetch(`${g.url.replace('ws', 'http')}/metrics`)).text(),
        )![1],
      );
    const tries = await metric();
    // ten minutes of the console's clock, with real time between steps for any retry's socket to reach the gateway
    for (let s = 0; s < 600; s++) {
      clock.advance(1000);
      if (s % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    // a positive signal through the same gateway first (one refused test connection is counted), then the absence
    expect(await call(c, 'linkTest', { url: g.url, token: 'wrong-token-2' })).toMatchObject({ ok: false });
    expect(await metric()).toBe(tries + 1);
    expect((await state(c)).status).toBe('auth_failed');
    const cfg = await call<{ hasToken: boolean }>(c, 'linkSetToken', 'test-token-0123456789');
    expect(cfg.hasToken).toBe(true);
    expect(JSON.stringify(cfg)).not.toContain('test-token');
    await until(() => {
      clock.advance(100);
      return alertCount(c) === 3;
    }, 'the snapshot with the right token');
    expect((await state(c)).status).toBe('online');
  });

  it('test connection reports success, a wrong token, and an unreachable platform clearly', async () => {
    const g = await gw(testSource(), dir());
    const c = client(dir(), g.url);
    expect(await call(c, 'linkTest', { url: g.url, token: 'test-token-0123456789' })).toMatchObject({
      ok: true,
      serverId: g.serverId,
      protocol: 1,
    });
    expect(await call(c, 'linkTest', { url: g.url, token: 'wrong-token-1' })).toMatchObject({
      ok: false,
      code: 'auth_failed',
    });
    expect(await call(c, 'linkTest', { url: 'ws://127.0.0.1:1', token: 'x-token' })).toMatchObject({
      ok: false,
      code: 'unreachable',
    });
    const cfg = await call<Record<string, unknown>>(c, 'linkConfig');
    expect(cfg).toMatchObject({ target: 'cli', hasToken: true, lockedByCli: true });
    expect(JSON.stringify(cfg)).not.toContain('test-token');
  });
});
