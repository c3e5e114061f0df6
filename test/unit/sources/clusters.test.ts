/**
 * Clusters of HA members with in-memory Alertmanagers under a FakeClock: merging by fingerprint and silence
 * id, failover and health, exactly-once creates across a member dying mid-request, and acks kept alive while
 * their alert fires (extended once per window, never by a stale member, lapsing after resolve).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { DEFAULT_ACK_EXTENSION, type AckExtensionConfig } from '@gateway/config';
import { memoryAckLedger, planAckExtensions } from '@gateway/sources/ack-extender';
import { ackSilence, taggedAuthor } from '@gateway/sources/alert-state';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import type { AmAlert, AmSilence } from '@gateway/sources/alertmanager-api';
import { createCluster } from '@gateway/sources/cluster';
import { createClusterFeed } from '@gateway/sources/cluster-feed';
import { mergeListings } from '@gateway/sources/merge';
import type { SourceEvent, SourceHealth } from '@gateway/source';
import type { Alert } from '@shared/alerts';
import { FakeAlertmanager } from './fake-alertmanager';

const LABELS = { alertname: 'DiskFull', severity: 'critical', instance: 'db-1' };
const MIN = 60_000;

function pair(clock: FakeClock) {
  const a = new FakeAlertmanager('http://am-a:9093', clock);
  const b = new FakeAlertmanager('http://am-b:9093', clock);
  return { a, b, apis: { [a.url]: a, [b.url]: b } };
}

const ackOf = (clock: FakeClock, minutes: number, actionId = 'act-1') => {
  const s = ackSilence({ labels: LABELS, operator: 'li.wei', actionId, now: clock.now(), minutes });
  return { matchers: s.matchers, startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString(), createdBy: s.createdBy, comment: s.comment };
};

describe('mergeListings', () => {
  const alert = (over: Partial<AmAlert> = {}): AmAlert => ({
    fingerprint: 'f1',
    labels: LABELS,
    annotations: {},
    startsAt: '2026-01-05T09:00:00.000Z',
    endsAt: '2026-01-05T10:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    ...over,
  });
  const silence = (id: string, state: AmSilence['status']['state'], updatedAt: string): AmSilence => ({
    id,
    matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
    startsAt: '2026-01-05T09:00:00.000Z',
    endsAt: '2026-01-05T11:00:00.000Z',
    updatedAt,
    createdBy: 'x',
    comment: 'y',
    status: { state },
  });

  it('one alert per fingerprint and one silence per id; the newest copy of a silence wins', () => {
    const m = mergeListings([
      { member: 'a', alerts: [alert({ status: { state: 'suppressed', silencedBy: ['s1'], inhibitedBy: ['f9'] } })], silences: [silence('s1', 'active', '2026-01-05T09:00:00Z')] },
      {
        member: 'b',
        alerts: [alert({ endsAt: '2026-01-05T10:05:00.000Z', startsAt: '2026-01-05T08:59:00.000Z' })],
        silences: [silence('s1', 'active', '2026-01-05T09:00:00Z'), silence('s2', 'active', '2026-01-05T09:01:00Z')],
      },
    ]);
    expect(m.alerts).toHaveLength(1);
    expect(m.alerts[0]).toMatchObject({ startsAt: '2026-01-05T08:59:00.000Z', endsAt: '2026-01-05T10:05:00.000Z' });
    expect(m.alerts[0].status).toMatchObject({ silencedBy: ['s1'], inhibitedBy: ['f9'] });
    expect(m.silences.map((s) => s.id).sort()).toEqual(['s1', 's2']);
    expect(m.silenceMembers.get('s1')).toEqual(['a', 'b']);
    expect(m.silenceMembers.get('s2')).toEqual(['b']);
  });

  it('an expiry seen on one member beats the stale active copy, and no longer silences the alert', () => {
    const m = mergeListings([
      { member: 'a', alerts: [alert()], silences: [silence('s1', 'expired', '2026-01-05T09:30:00Z')] },
      { member: 'b', alerts: [alert({ status: { state: 'suppressed', silencedBy: ['s1'], inhibitedBy: [] } })], silences: [silence('s1', 'active', '2026-01-05T09:00:00Z')] },
    ]);
    expect(m.silences[0].status.state).toBe('expired');
    expect(m.alerts[0].status.silencedBy).toEqual([]);
  });
});

describe('a cluster of HA members', () => {
  it('is degraded naming the dead member, reads from the live one, and is down only when all are', async () => {
    const clock = new FakeClock();
    const { a, b, apis } = pair(clock);
    a.fire('f1', LABELS);
    b.fire('f1', LABELS);
    const c = createCluster({ name: 'prod', members: [a.url, b.url], plainIds: false, timeoutMs: 1000, clock, apis });
    expect((await c.read()).alerts).toHaveLength(1);
    expect(c.status().upstream).toBe('ok');
    a.down = true;
    expect((await c.read()).answered).toEqual([b.url]);
    expect(c.status()).toMatchObject({ upstream: 'degraded', members: [{ url: a.url, up: false }, { url: b.url, up: true }] });
    expect(c.status().detail).toContain(`member ${a.url} is down`);
    b.down = true;
    await expect(c.read()).rejects.toThrow(/unreachable/);
    expect(c.status().upstream).toBe('down');
    a.down = false;
    await c.read();
    expect(c.status().members.map((m) => m.up)).toEqual([true, false]);
  });

  it('writes through a healthy member and fails over when the first is gone', async () => {
    const clock = new FakeClock();
    const { a, b, apis } = pair(clock);
    const c = createCluster({ name: 'prod', members: [a.url, b.url], plainIds: false, timeoutMs: 1000, clock, apis });
    await c.createOnce('act-1', ackOf(clock, 60));
    expect(a.posted).toHaveLength(1);
    a.down = true;
    await c.createOnce('act-2', ackOf(clock, 60, 'act-2'));
    expect(b.posted).toHaveLength(1);
    expect(c.status().upstream).toBe('degraded');
  });

  it('creates once when a member dies after storing the silence: gossip carried it, the next member is asked first', async () => {
    const clock = new FakeClock();
    const { a, b, apis } = pair(clock);
    const c = createCluster({ name: 'prod', members: [a.url, b.url], plainIds: false, timeoutMs: 1000, clock, apis, gossipSettleMs: 500 });
    a.dieAfterNextCreate = true;
    const created = c.createOnce('act-1', ackOf(clock, 60));
    // the member stored it and gossiped before dying; the cluster waits for gossip before looking again
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      a.gossipTo(b); // the gossip it sent just before it died
      clock.advance(100);
    }
    const id = await created;
    expect(b.posted).toHaveLength(0); // never created a second time
    expect(b.silenceList().filter((s) => s.createdBy === taggedAuthor('li.wei', 'act-1'))).toHaveLength(1);
    expect(id).toBe(b.silenceList()[0].id);
  });

  it('creates on the next member when the dead one never stored it', async () => {
    const clock = new FakeClock();
    const { a, b, apis } = pair(clock);
    const c = createCluster({ name: 'prod', members: [a.url, b.url], plainIds: false, timeoutMs: 1000, clock, apis });
    a.down = true; // connection refused: nothing reached it, no need to wait for gossip
    await c.createOnce('act-1', ackOf(clock, 60));
    expect(b.posted).toHaveLength(1);
  });
});

describe('acks that last: the ack extender (FakeClock)', () => {
  const config: AckExtensionConfig = { ...DEFAULT_ACK_EXTENSION, extendIfExpiringInMs: 5 * MIN, extendByMs: 15 * MIN };

  function setup(cfg = config) {
    const clock = new FakeClock();
    const { a, b, apis } = pair(clock);
    const ledger = memoryAckLedger();
    const events: SourceEvent[] = [];
    const cluster = createCluster({ name: 'prod', members: [a.url, b.url], plainIds: false, timeoutMs: 1000, clock, apis });
    const feed = createClusterFeed({
      cluster,
      clock,
      pollIntervalMs: 30_000,
      resolvedRetentionMs: 3_600_000,
      ackExtension: cfg,
      ledger,
      labelAlerts: true,
      emit: (e) => events.push(...e),
      statusChanged: () => undefined,
      warn: () => undefined,
    });
    feed.seed({ alerts: [], silences: [] });
    feed.start();
    const alertNow = () => [...events].reverse().find((e) => e.kind === 'alert.upsert')?.data as Alert;
    /** time passes, gossip runs, the feed polls (and extends what is due) */
    const tick = async (ms: number) => {
      clock.advance(ms);
      a.gossipTo(b);
      b.gossipTo(a);
      await feed.refresh();
      await feed.refresh(); // the follow-up poll an extension asks for
    };
    return { clock, a, b, ledger, feed, events, alertNow, tick };
  }

  it('extends an ack silence before it ends while the alert fires, once per window, and counts', async () => {
    const { clock, a, b, alertNow, tick, ledger } = setup();
    a.fire('f1', LABELS);
    b.fire('f1', LABELS);
    await a.createSilence(ackOf(clock, 10));
    await tick(0);
    const acked = alertNow();
    expect(acked).toMatchObject({ cluster: 'prod', fingerprint: 'prod/f1', ackedBy: 'li.wei', ackExtensions: 0, ackAutoExtend: true });
    expect(acked.ackExpiresAt).toBe(clock.now() + 10 * MIN);
    const silenceId = acked.ackId!;

    await tick(4 * MIN); // 6 min left: not yet
    expect(a.posted.length + b.posted.length).toBe(1);
    await tick(2 * MIN); // 4 min left: extended to now + 15 min
    const posts = a.posted.length + b.posted.length;
    expect(posts).toBe(2);
    expect(alertNow()).toMatchObject({ ackId: silenceId, ackExtensions: 1, ackExpiresAt: clock.now() + 15 * MIN });
    for (let i = 0; i < 10; i++) await tick(30_000); // 5 more minutes of polls in the same window: nothing more
    expect(a.posted.length + b.posted.length).toBe(posts);
    await tick(6 * MIN); // 4 min left again: the second window
    expect(alertNow()).toMatchObject({ ackExtensions: 2 });
    expect(ledger.ackExtensions('prod')).toMatchObject([{ silenceId: silenceId.replace('prod/', ''), extensions: 2 }]);
  });

  it('lets the ack lapse once the alert resolves', async () => {
    const { clock, a, b, tick, events } = setup();
    a.fire('f1', LABELS);
    await a.createSilence(ackOf(clock, 10));
    await tick(0);
    a.resolve('f1');
    b.resolve('f1');
    for (let i = 0; i < 25; i++) await tick(30_000);
    expect(a.posted.length + b.posted.length).toBe(1);
    const lastSilence = [...events].reverse().find((e) => e.kind === 'silence.upsert')?.data as { state: string };
    expect(lastSilence.state).toBe('expired');
  });

  it('does not extend again from a member that has not heard of the extension', () => {
    const clock = new FakeClock();
    const now = clock.now();
    const s: AmSilence = {
      id: 's1',
      matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
      startsAt: new Date(now - 60 * MIN).toISOString(),
      endsAt: new Date(now + 2 * MIN).toISOString(),
      createdBy: 'li.wei',
      comment: 'ACK by li.wei',
      status: { state: 'active' },
    };
    const alert: AmAlert = { fingerprint: 'f1', labels: LABELS, annotations: {}, startsAt: s.startsAt, endsAt: new Date(now + MIN).toISOString(), status: { state: 'active' } };
    const plan = (extendedTo?: number) =>
      planAckExtensions({
        silences: [s],
        alerts: [alert],
        now,
        config,
        extended: new Map(extendedTo ? [['s1', { cluster: 'prod', silenceId: 's1', extensions: 1, extendedTo, at: now }]] : []),
      });
    expect(plan()).toEqual([{ silence: s, endsAt: now + 15 * MIN }]);
    expect(plan(now + 14 * MIN)).toEqual([]); // already extended past what this listing shows
    expect(planAckExtensions({ silences: [s], alerts: [alert], now, config, extended: new Map(), inFlight: new Set(['s1']) })).toEqual([]);
    expect(planAckExtensions({ silences: [s], alerts: [alert], now, config: { ...config, enabled: false }, extended: new Map() })).toEqual([]);
    // not an ack: an ordinary silence is never extended
    expect(planAckExtensions({ silences: [{ ...s, comment: 'maintenance' }], alerts: [alert], now, config, extended: new Map() })).toEqual([]);
    // maxDuration caps how long an ack is kept
    expect(planAckExtensions({ silences: [s], alerts: [alert], now, config: { ...config, maxDurationMs: 65 * MIN }, extended: new Map() })).toEqual([
      { silence: s, endsAt: now + 5 * MIN },
    ]);
  });
});

describe('the alertmanager source over clusters', () => {
  it('labels alerts with their cluster, prefixes ids, reports per-cluster health, and routes actions', async () => {
    const clock = new FakeClock();
    const prod = pair(clock);
    const staging = new FakeAlertmanager('http://am-s:9093', clock);
    prod.a.fire('f1', LABELS);
    prod.b.fire('f1', LABELS);
    staging.fire('f1', LABELS); // the same labels in another cluster: another alert
    const events: SourceEvent[] = [];
    const health: SourceHealth[] = [];
    const source = createAlertmanagerSource({
      clusters: [
        { name: 'prod', members: [prod.a.url, prod.b.url], ackExtension: DEFAULT_ACK_EXTENSION },
        { name: 'staging', members: [staging.url], ackExtension: DEFAULT_ACK_EXTENSION },
      ],
      clock,
      apis: { ...prod.apis, [staging.url]: staging },
      warn: () => undefined,
    });
    await source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => clock.now() });
    const alerts = events.filter((e) => e.kind === 'alert.upsert').map((e) => e.data as Alert);
    expect(alerts.map((x) => [x.fingerprint, x.cluster]).sort()).toEqual([
      ['prod/f1', 'prod'],
      ['staging/f1', 'staging'],
    ]);
    prod.a.down = true;
    await source.refresh();
    expect(health.at(-1)).toMatchObject({ upstream: 'degraded', clusters: [{ name: 'prod', upstream: 'degraded' }, { name: 'staging', upstream: 'ok' }] });
    const out = await source.apply({ id: 'act-9', type: 'alert.ack', payload: { fingerprint: 'prod/f1' }, at: 0, operator: 'li.wei' });
    expect(out).toEqual({ ok: true });
    expect(prod.b.posted).toHaveLength(1);
    expect(staging.posted).toHaveLength(0);
    const sil = await source.apply({
      id: 'act-10',
      type: 'silence.create',
      payload: { matchers: [{ name: '@cluster', value: 'staging', isRegex: false, isEqual: true }, { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }], endsAt: clock.now() + MIN, comment: 'maint' },
      at: 0,
      operator: 'li.wei',
    });
    expect(sil).toEqual({ ok: true });
    expect(staging.posted.map((p) => p.matchers.map((m) => m.name))).toEqual([['alertname']]);
    await source.stop();
  });
});
