/**
 * The alerts module on a real SQLite store: appliers run inside a transaction as the link runs them, the
 * flush after the commit feeds the renderer, the counts and the notification policy. Actions go through
 * the real outbox (src/main/core/link/outbox.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from '@shared/api';
import { ApiError } from '@shared/rpc';
import type { Alert } from '@shared/alerts';
import { VALUE_CUT_CHARS } from '@shared/alert-view';
import type { AlertsModule } from '@core/alerts/module';
import { DELTA_LIMIT, FLUSH_DELAY_MS } from '@core/alerts/changes';
import { createAlertRepo } from '@core/alerts/repo';
import type { Outbox } from '@core/link/outbox';
import { firingAlert } from '@test/helpers/alerts';
import { NotifyFailureError } from '@core/notifier';
import { makeCtx, startAlertsModule, type TestCtx } from './helpers';

let t: TestCtx;
let mod: AlertsModule;
let outbox: Outbox;

const applier = (kind: string) => mod.appliers!.find((a) => a.kind === kind)!;
/** what the link does: every event of a batch inside one transaction */
const sync = (...events: [string, unknown][]) =>
  t.ctx.db.transaction(() => events.forEach(([kind, data], i) => applier(kind).apply(data, { seq: i + 1, at: t.clock.now() })))();
const settle = () => t.clock.advance(FLUSH_DELAY_MS);

beforeEach(() => {
  t = makeCtx();
  ({ mod, outbox } = startAlertsModule(t));
});
afterEach(() => {
  mod.stop!();
  t.cleanup();
});

describe('huge values cross to the views cut, and load whole on demand', () => {
  it('a 1 MB label and a 1 MB summary are cut in the list, the page and the change event; alertValue loads them whole', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const a = firingAlert({ fingerprint: 'huge', labels: { alertname: 'Huge', blob: big, severity: 'critical' }, annotations: { summary: `S${big}`, runbook_url: 'rb' } });
    sync(['alert.upsert', a]);
    settle();
    const [listed] = await mod.handlers.alertsList();
    expect(listed.labels.blob).toHaveLength(VALUE_CUT_CHARS);
    expect(listed.annotations.summary).toHaveLength(VALUE_CUT_CHARS);
    expect(listed.annotations.runbook_url).toBe('rb');
    expect(listed.cut).toEqual({
      labels: [{ index: 1, name: 'blob', length: big.length, nameCut: false }],
      annotations: [{ index: 0, name: 'summary', length: big.length + 1, nameCut: false }],
    });
    expect((await mod.handlers.alertsPage(null, 10)).alerts[0]).toEqual(listed);
    expect(t.eventsOf('alertsChanged').at(-1)?.upserted[0]).toEqual(listed);
    expect(JSON.stringify(listed).length).toBeLessThan(20_000);
    expect(await mod.handlers.alertValue('huge', 'labels', 1)).toEqual({ name: 'blob', value: big });
    expect(await mod.handlers.alertValue('huge', 'annotations', 0)).toEqual({ name: 'summary', value: `S${big}` });
    expect(await mod.handlers.alertValue('huge', 'annotations', 9)).toBeNull();
    expect(await mod.handlers.alertValue('gone', 'labels', 0)).toBeNull();
  });
});

describe('storing and dedup', () => {
  it('keeps one row per fingerprint and one history entry per state change', () => {
    const a = firingAlert({ fingerprint: 'dup' });
    sync(['alert.upsert', a], ['alert.upsert', a], ['alert.upsert', { ...a, updatedAt: a.updatedAt + 1 }]);
    settle();
    const repo = createAlertRepo(t.ctx.db);
    expect(repo.list()).toHaveLength(1);
    expect(repo.history('dup').map((e) => e.kind)).toEqual(['firing']);
    sync(['alert.upsert', { ...a, ackedBy: 'li.wei', updatedAt: a.updatedAt + 2 }]);
    sync(['alert.upsert', { ...a, inhibitedBy: ['root'], updatedAt: a.updatedAt + 3 }]);
    expect(repo.history('dup').map((e) => e.kind)).toEqual(['inhibited', 'acked', 'firing']);
    expect(t.notifier.sent).toHaveLength(1);
  });

  it('after the commit: one delta to the renderer, counts, and a notification within the flush delay', () => {
    sync(['alert.upsert', firingAlert({ fingerprint: 'a', severity: 'P0' })], ['alert.upsert', firingAlert({ fingerprint: 'b', severity: 'P2', labels: { alertname: 'QueueBacklog', service: 'order-sync' } })]);
    expect(t.eventsOf('alertsChanged')).toHaveLength(0);
    settle();
    const [changed] = t.eventsOf('alertsChanged');
    expect(changed.reset).toBe(false);
    expect(changed.upserted.map((a) => a.fingerprint).sort()).toEqual(['a', 'b']);
    expect(t.eventsOf('alertCounts').at(-1)).toMatchObject({ unacked: 2, worstUnacked: 'P0', bySeverity: { P0: { total: 1, unacked: 1 }, P2: { total: 1, unacked: 1 } } });
    expect(t.notifier.sent.map((n) => n.title)).toEqual(['[P0] OrderPullFailures · order-sync', '[P2] QueueBacklog · order-sync']);
    expect(t.eventsOf('toast').map((x) => x.level)).toEqual(['error', 'warning']);
  });

  it('a rolled-back batch notifies nobody and changes no counts', () => {
    expect(() =>
      t.ctx.db.transaction(() => {
        applier('alert.upsert').apply(firingAlert({ fingerprint: 'ghost' }), { seq: 1, at: 0 });
        throw new Error('the link failed to advance the cursor');
      })(),
    ).toThrow();
    settle();
    expect(t.notifier.sent).toHaveLength(0);
    expect(mod.counts().unacked).toBe(0);
  });

  it('a snapshot (reset + upserts) neither re-notifies nor duplicates history; what it drops is removed', () => {
    const keep = firingAlert({ fingerprint: 'keep' });
    sync(['alert.upsert', keep], ['alert.upsert', firingAlert({ fingerprint: 'gone' })]);
    settle();
    const before = t.notifier.sent.length;
    t.ctx.db.transaction(() => {
      applier('alert.upsert').reset!();
      applier('alert.upsert').apply(keep, { seq: 10, at: 0 });
      applier('alert.upsert').endSnapshot!(); // as the link does after a snapshot's last item
    })();
    settle();
    expect(t.notifier.sent).toHaveLength(before);
    expect(createAlertRepo(t.ctx.db).history('keep')).toHaveLength(1);
    expect(t.eventsOf('alertsChanged').at(-1)?.removed).toEqual(['gone']);
    expect(mod.counts().unacked).toBe(1);
  });

  it('history of an alert first seen in a snapshot starts at its startsAt', () => {
    const a = firingAlert({ fingerprint: 'snap-only', startsAt: 1_000, updatedAt: 5_000 });
    t.ctx.db.transaction(() => {
      applier('alert.upsert').reset!();
      applier('alert.upsert').apply(a, { seq: 1, at: 0 });
      applier('alert.upsert').endSnapshot!();
    })();
    settle();
    const repo = createAlertRepo(t.ctx.db);
    expect(repo.history('snap-only')).toEqual([{ fingerprint: 'snap-only', at: 1_000, kind: 'firing', detail: '' }]);
    // later changes are recorded as usual, and the start stays once
    sync(['alert.upsert', { ...a, ackedBy: 'li.wei', updatedAt: 6_000 }]);
    settle();
    expect(repo.history('snap-only').map((e) => [e.kind, e.at])).toEqual([
      ['acked', 6_000],
      ['firing', 1_000],
    ]);
    expect(repo.history('unknown')).toEqual([]);
  });

  it('a snapshot over DELTA_LIMIT reloads the view and shows the policy only what it changed', () => {
    const n = DELTA_LIMIT + 1;
    const base = Array.from({ length: n }, (_, i) =>
      firingAlert({ fingerprint: `big${String(i).padStart(5, '0')}`, severity: 'P3', startsAt: i, updatedAt: 1_000 + i }),
    );
    const snapshot = (alerts: Alert[]) => {
      t.ctx.db.transaction(() => {
        const a = applier('alert.upsert');
        a.reset!();
        alerts.forEach((x, i) => a.apply(x, { seq: i + 1, at: 0 }));
        a.endSnapshot!();
      })();
      settle();
      t.clock.advance(10 * 60_000); // every group window closes
    };
    const resets = () => t.eventsOf('alertsChanged').filter((e) => e.reset).length;

    snapshot(base);
    expect(resets()).toBe(1);
    expect(mod.counts().bySeverity.P3).toEqual({ total: n, unacked: n });
    const sent = t.notifier.sent.length;

    // one new P0, one resolved, one acked; the rest as they were
    const p0 = firingAlert({ fingerprint: 'big-p0', alertname: 'DiskFull', severity: 'P0', startsAt: 5_000, updatedAt: 5_000 });
    const next = [...base, p0];
    next[1] = { ...base[1], state: 'resolved', endsAt: 9_000, updatedAt: 9_000 };
    next[2] = { ...base[2], ackedBy: 'li.wei', ackedAt: 9_000, updatedAt: 9_000 };
    snapshot(next);
    expect(resets()).toBe(2);
    // announcements only (an unacked P0 also repeats while the clock runs)
    const announced = () => t.notifier.sent.slice(sent).map((x) => x.title).filter((x) => !x.includes('Still unacked'));
    expect(announced()).toEqual(['[P0] DiskFull · order-sync']);
    expect(mod.counts().bySeverity).toMatchObject({ P0: { total: 1, unacked: 1 }, P3: { total: n - 1, unacked: n - 2 } });
    expect(createAlertRepo(t.ctx.db).history(base[2].fingerprint).map((e) => e.kind)).toEqual(['acked', 'firing']);

    // the same snapshot again changes nothing: no reload, no notification
    snapshot(next);
    expect(resets()).toBe(2);
    expect(announced()).toHaveLength(1);
  });

  it('counts follow acks, silences and resolution', () => {
    const a = firingAlert({ fingerprint: 'c1', severity: 'P1' });
    sync(['alert.upsert', a]);
    settle();
    sync(['alert.upsert', { ...a, ackedBy: 'li.wei', updatedAt: a.updatedAt + 1 }]);
    settle();
    expect(mod.counts()).toMatchObject({ unacked: 0, worstUnacked: null, bySeverity: { P1: { total: 1, unacked: 0 } } });
    sync(['alert.upsert', { ...a, state: 'resolved', updatedAt: a.updatedAt + 2 }]);
    settle();
    expect(mod.counts().bySeverity.P1.total).toBe(0);
  });
});

describe('actions through the outbox', () => {
  beforeEach(() => {
    sync(['alert.upsert', firingAlert({ fingerprint: 'f1' })], ['alert.upsert', firingAlert({ fingerprint: 'f2' })], ['alert.upsert', firingAlert({ fingerprint: 'f3', ackedBy: 'zhang' })]);
    settle();
  });

  it('bulk ack queues one action per alert that needs it, in one transaction, and shows pending → confirmed / failed', async () => {
    const queued = await mod.handlers.alertAck(['f1', 'f2', 'f3'], { note: 'looking' });
    expect(queued.map((a) => a.fingerprints[0])).toEqual(['f1', 'f2']);
    expect(queued.every((a) => a.state === 'pending')).toBe(true);
    expect(outbox.unanswered().map((e) => e.payload)).toEqual([
      { fingerprint: 'f1', note: 'looking' },
      { fingerprint: 'f2', note: 'looking' },
    ]);
    outbox.settle(queued[0].id, true, null);
    outbox.settle(queued[1].id, false, { code: 'upstream', message: 'Alertmanager answered 503' });
    const progress = await mod.handlers.alertActions();
    expect(progress.find((a) => a.id === queued[0].id)?.state).toBe('confirmed');
    expect(progress.find((a) => a.id === queued[1].id)).toMatchObject({ state: 'failed', error: 'Alertmanager answered 503' });
    // a retry through the link's outbox shows as the same entry, pending again
    const fresh = outbox.retry(queued[1].id);
    const after = await mod.handlers.alertActions();
    expect(after.find((a) => a.fingerprints[0] === 'f2')).toMatchObject({ id: fresh.id, state: 'pending' });
    expect(createAlertRepo(t.ctx.db).history('f1')[0]).toMatchObject({ kind: 'action', detail: 'alert.ack queued by on-call' });
  });

  it('refuses unknown fingerprints and changes nothing', async () => {
    await expect(async () => mod.handlers.alertAck(['f1', 'nope'])).rejects.toThrow(/No cached alert with fingerprint nope/);
    expect(outbox.unanswered()).toHaveLength(0);
  });

  it('refuses an action that applies to none of the selection', async () => {
    await expect(async () => mod.handlers.alertUnack(['f1'])).rejects.toThrow(ApiError);
    expect(outbox.unanswered()).toHaveLength(0);
  });

  it('silence: validated matchers, required comment, endsAt from the duration', async () => {
    expect(() => parseArgs('silenceCreate', [{ matchers: [{ name: 'a', value: 'b', isEqual: true, isRegex: false }], durationMinutes: 60, comment: '  ' }])).toThrow(
      /comment is required/,
    );
    await expect(async () =>
      mod.handlers.silenceCreate({ matchers: [{ name: 'service', value: '([', isEqual: true, isRegex: true }], durationMinutes: 30, comment: 'release window' }),
    ).rejects.toThrow(/silence matchers/);
    const s = await mod.handlers.silenceCreate({
      matchers: [{ name: 'alertname', value: 'OrderPullFailures', isEqual: true, isRegex: false }],
      durationMinutes: 240,
      comment: 'release window',
    });
    expect(s.fingerprints.sort()).toEqual(['f1', 'f2', 'f3']);
    const [entry] = outbox.unanswered();
    expect(entry.payload).toMatchObject({ startsAt: t.clock.now(), endsAt: t.clock.now() + 240 * 60_000, comment: 'release window' });
  });

  it('silence: one that would match every alert is refused by the shared rule before anything is queued', async () => {
    const before = outbox.unanswered().length;
    for (const matchers of [
      [{ name: 'alertname', value: '.+', isEqual: true, isRegex: true }],
      [{ name: 'severity', value: 'none', isEqual: false, isRegex: false }],
    ])
      await expect(async () => mod.handlers.silenceCreate({ matchers, durationMinutes: 60, comment: 'maintenance' })).rejects.toMatchObject({
        code: 'silence_too_broad',
        message: expect.stringMatching(/would match every alert/),
      });
    expect(outbox.unanswered()).toHaveLength(before);
  });

  it('expire silence needs a cached, unexpired silence', async () => {
    await expect(async () => mod.handlers.silenceExpire('nope')).rejects.toThrow(/No cached silence/);
    sync(['silence.upsert', { id: 's1', matchers: [{ name: 'a', value: 'b', isEqual: true, isRegex: false }], startsAt: 0, endsAt: 1e13, createdBy: 'x', comment: 'c', state: 'active', updatedAt: 1 }]);
    settle();
    expect(t.eventsOf('alertsChanged').at(-1)?.silencesChanged).toBe(true);
    expect((await mod.handlers.silenceExpire('s1')).silenceId).toBe('s1');
  });
});

describe('saved filters and notification controls', () => {
  it('saves, replaces by name, refuses a bad matcher expression, deletes', async () => {
    const q = { text: 'ozon', matchers: 'severity="critical"', states: ['firing' as const], groupBy: ['service'] };
    const a = await mod.handlers.alertFilterSave({ ...q, name: 'Ozon critical' });
    const b = await mod.handlers.alertFilterSave({ ...q, text: 'orders', name: 'Ozon critical' });
    expect(b.id).toBe(a.id);
    expect(await mod.handlers.alertFiltersList()).toEqual([b]);
    expect((await mod.handlers.alertFilterSave({ ...q, matchers: 'team=""', name: 'no team' })).matchers).toBe('team=""');
    await expect(async () => mod.handlers.alertFilterSave({ ...q, matchers: 'severity=~"("', name: 'y' })).rejects.toThrow(/label matchers: column 11/);
    expect((await mod.handlers.alertFilterDelete(a.id)).deleted).toBe(true);
    expect((await mod.handlers.alertFiltersList()).map((f) => f.name)).toEqual(['no team']);
  });

  it('mute persists, holds P1 back, and ends by itself', async () => {
    const state = await mod.handlers.notifyMute(15);
    expect(state.mutedUntil).toBe(t.clock.now() + 15 * 60_000);
    sync(['alert.upsert', firingAlert({ fingerprint: 'm1' })]);
    settle();
    expect(t.notifier.sent).toHaveLength(0);
    t.clock.advance(15 * 60_000);
    expect(t.eventsOf('notifyState').at(-1)).toEqual({ mutedUntil: null, quietNow: false });
  });

  it('notifyTest never throws when the notification backend fails', async () => {
    t.notifier.notify = () => Promise.reject(new Error('no notification daemon'));
    await expect(mod.handlers.notifyTest()).resolves.toMatchObject({ delivered: expect.any(Boolean) });
  });

  // The backend fails as it does without a D-Bus session. The module sees the notifier the app gives it
  // (createModuleContext wraps it in safeNotifier), which must pass the failure on: never "delivered".
  it('notifyTest reports a failure of the notification backend (issue #13)', async () => {
    t.notifier.notify = () => Promise.reject(new Error('no notification daemon'));
    expect(await mod.handlers.notifyTest()).toEqual({
      delivered: false,
      error: 'Native notification not shown: the notifier failed: no notification daemon. Alerts still appear in the Vigil window.',
      reason: { code: 'failed', detail: 'no notification daemon' },
    });
  });

  it('notifyTest words the reason in the core’s language: the setting, or for auto the page’s (issue #18)', async () => {
    t.notifier.notify = () => Promise.reject(new NotifyFailureError({ code: 'no_session' }));
    t.settings.language = 'zh-CN';
    expect(await mod.handlers.notifyTest()).toEqual({
      delivered: false,
      error: '未能弹出系统通知：Vigil 所在的机器没有桌面会话（没有 D-Bus 会话总线）。告警仍会显示在 Vigil 窗口中。',
      reason: { code: 'no_session' },
    });
    t.settings.language = 'en';
    expect((await mod.handlers.notifyTest()).error).toMatch(/^Native notification not shown: there is no desktop session/);
    // 'auto' follows the page that said its language, not this process's locale
    t.settings.language = 'auto';
    t.pageLanguage.set('zh-CN');
    expect((await mod.handlers.notifyTest()).error).toMatch(/^未能弹出系统通知/);
    t.pageLanguage.set('en');
    expect((await mod.handlers.notifyTest()).error).toMatch(/^Native notification not shown/);
  });
});

describe('history retention', () => {
  it('prunes history hourly: old rows, and rows of alerts gone from the cache after a day', () => {
    const repo = createAlertRepo(t.ctx.db);
    const now = t.clock.now();
    const kept = firingAlert({ fingerprint: 'kept', startsAt: now, updatedAt: now });
    sync(['alert.upsert', kept]);
    settle();
    repo.recordEvent('kept', now - 31 * 24 * 3_600_000, 'firing'); // older than 30 days
    repo.recordEvent('gone', now - 2 * 3_600_000, 'firing'); // alert no longer cached, but under a day old
    expect(repo.history('kept')).toHaveLength(2);
    t.clock.advance(3_600_000); // the hourly prune
    expect(repo.history('kept').map((e) => e.at)).toEqual([now]);
    expect(repo.history('gone')).toHaveLength(1);
    t.clock.advance(23 * 3_600_000); // now more than a day old
    expect(repo.history('gone')).toHaveLength(0);
    expect(repo.history('kept')).toHaveLength(1);
  });
});
