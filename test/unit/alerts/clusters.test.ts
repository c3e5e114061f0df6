/**
 * The console side of clusters and acks that last: the cache keeps an alert's cluster and its ack's real
 * expiry (migration 010), notifications name the cluster, the filter's @cluster matcher and the inhibited
 * state, and the silence dialog's prefill that keeps a silence in its alert's cluster.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import type { AlertsModule } from '@core/alerts/module';
import { FLUSH_DELAY_MS } from '@core/alerts/changes';
import { createAlertRepo } from '@core/alerts/repo';
import { compileQuery, toEntry } from '@renderer/features/alerts/model';
import { prefillMatchers } from '@renderer/features/alerts/Dialogs';
import { formatMatchers } from '@shared/matchers';
import { firingAlert as alert } from '@test/helpers/alerts';
import { makeCtx, startAlertsModule, type TestCtx } from './helpers';

let t: TestCtx;
let mod: AlertsModule;
const sync = (...events: [string, unknown][]) =>
  t.ctx.db.transaction(() => events.forEach(([kind, data], i) => mod.appliers!.find((a) => a.kind === kind)!.apply(data, { seq: i + 1, at: t.clock.now() })))();

beforeEach(() => {
  t = makeCtx();
  ({ mod } = startAlertsModule(t));
});
afterEach(() => {
  mod.stop!();
  t.cleanup();
});

const prod = (over: Partial<Alert> = {}): Alert => alert({ fingerprint: 'prod/f1', cluster: 'prod', ...over });

describe('the cache keeps clusters and the real ack expiry', () => {
  it('stores cluster, ack expiry, extensions and auto-extend, and moves them as they change', () => {
    const now = t.clock.now();
    sync(['alert.upsert', prod({ ackedBy: 'li.wei', ackedAt: now, ackId: 'prod/s1', ackExpiresAt: now + 10 * 60_000, ackExtensions: 0, ackAutoExtend: true })]);
    const repo = createAlertRepo(t.ctx.db);
    expect(repo.get('prod/f1')).toMatchObject({ cluster: 'prod', ackExpiresAt: now + 600_000, ackExtensions: 0, ackAutoExtend: true });
    // an extension is an update of the same alert: stored, no history entry, no notification
    sync(['alert.upsert', prod({ ackedBy: 'li.wei', ackedAt: now, ackId: 'prod/s1', ackExpiresAt: now + 20 * 60_000, ackExtensions: 1, ackAutoExtend: true })]);
    expect(repo.get('prod/f1')).toMatchObject({ ackExpiresAt: now + 1_200_000, ackExtensions: 1 });
    // a v1 gateway's alert has none of the fields: none come back
    sync(['alert.upsert', alert({ fingerprint: 'plain' })]);
    const plain = repo.get('plain')!;
    expect('cluster' in plain || 'ackExpiresAt' in plain).toBe(false);
    sync(['silence.upsert', { id: 'prod/s1', matchers: [], startsAt: now, endsAt: now + 1, createdBy: 'x', comment: 'y', state: 'active', updatedAt: now, cluster: 'prod' }]);
    expect(repo.silences()[0]).toMatchObject({ id: 'prod/s1', cluster: 'prod' });
  });

  it('records one "acked" when the ack silence joins silencedBy a poll later (members answer in their own time)', () => {
    const now = t.clock.now();
    const acked = prod({ ackedBy: 'li.wei', ackedAt: now, ackId: 'prod/s1', ackExpiresAt: now + 600_000, ackExtensions: 0, ackAutoExtend: true });
    sync(['alert.upsert', prod()]);
    sync(['alert.upsert', { ...acked, updatedAt: acked.updatedAt + 1 }]);
    sync(['alert.upsert', { ...acked, silencedBy: ['prod/s1'], updatedAt: acked.updatedAt + 2 }]);
    expect(createAlertRepo(t.ctx.db).history('prod/f1').map((e) => e.kind)).toEqual(['acked', 'firing']);
  });

  it('names the cluster in notifications, and the same alert in two clusters makes two', () => {
    sync(['alert.upsert', prod({ severity: 'P0' })], ['alert.upsert', alert({ fingerprint: 'staging/f1', cluster: 'staging', severity: 'P0' })]);
    t.clock.advance(FLUSH_DELAY_MS);
    expect(t.notifier.sent.map((n) => n.title).sort()).toEqual(['[P0] OrderPullFailures · order-sync @prod', '[P0] OrderPullFailures · order-sync @staging']);
  });

  it('an inhibited alert is inhibited, not silenced, and notifies when the inhibition ends', () => {
    sync(['alert.upsert', prod({ inhibitedBy: ['prod/root'] })]);
    t.clock.advance(FLUSH_DELAY_MS);
    expect(createAlertRepo(t.ctx.db).history('prod/f1').map((e) => e.kind)).toEqual(['firing']);
    expect(t.notifier.sent).toHaveLength(0);
    sync(['alert.upsert', prod({ updatedAt: t.clock.now() + 1 })]);
    t.clock.advance(FLUSH_DELAY_MS);
    expect(t.notifier.sent).toHaveLength(1);
  });
});

describe('the alert filter and the silence dialog', () => {
  const entries = [
    toEntry(prod()),
    toEntry(alert({ fingerprint: 'staging/f1', cluster: 'staging' })),
    toEntry(alert({ fingerprint: 'plain' })),
    toEntry(prod({ fingerprint: 'prod/f2', inhibitedBy: ['prod/f1'] })),
  ];
  const pass = (q: { text?: string; matchers?: string; states?: Parameters<typeof compileQuery>[0]['states'] }) => {
    const c = compileQuery({ text: q.text ?? '', matchers: q.matchers ?? '', states: q.states ?? [] });
    return entries.filter((e) => c.test(e)).map((e) => e.a.fingerprint);
  };

  it('filters by @cluster, by text naming the cluster, and by the inhibited state', () => {
    expect(pass({ matchers: '@cluster="prod"' })).toEqual(['prod/f1', 'prod/f2']);
    expect(pass({ matchers: '@cluster=~"stag.*", alertname="OrderPullFailures"' })).toEqual(['staging/f1']);
    expect(pass({ matchers: '@cluster=""' })).toEqual(['plain']);
    expect(pass({ text: 'staging' })).toEqual(['staging/f1']);
    expect(pass({ states: ['inhibited'] })).toEqual(['prod/f2']);
    expect(entries[3].display).toBe('inhibited');
  });

  it('prefills a silence with the clusters of the alerts it silences', () => {
    expect(formatMatchers(prefillMatchers([prod()]))).toMatch(/^\{@cluster="prod", alertname="OrderPullFailures"/);
    expect(prefillMatchers([prod(), alert({ fingerprint: 's/1', cluster: 'staging' })])[0]).toEqual({ name: '@cluster', value: 'prod|staging', isRegex: true, isEqual: true });
    expect(prefillMatchers([alert({ fingerprint: 'plain' })]).some((m) => m.name === '@cluster')).toBe(false);
  });
});
