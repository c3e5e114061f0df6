/** The notification policy with a fake clock: no sleeping, every timer driven by FakeClock.advance. */
import { describe, expect, it } from 'vitest';
import { displayState, type Alert } from '@shared/alerts';
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { MemoryNotifier } from '@core/notifier';
import { NotificationPolicy, type ObservedChange } from '@core/alerts/policy';
import { inQuietHours } from '@core/alerts/quiet';
import { firingAlert } from '@test/helpers/alerts';

const brief = (a: Alert) => ({ state: a.state, severity: a.severity, display: displayState(a), updatedAt: a.updatedAt });
const arrive = (a: Alert): ObservedChange => ({ fingerprint: a.fingerprint, before: null, after: a });
const change = (from: Alert, to: Alert): ObservedChange => ({ fingerprint: from.fingerprint, before: brief(from), after: to });

function setup(s: Partial<Settings> = {}, start = Date.UTC(2026, 0, 5, 9, 0)) {
  const clock = new FakeClock(start);
  const notifier = new MemoryNotifier();
  const settings: Settings = { ...DEFAULT_SETTINGS, language: 'en', timeZone: 'UTC', ...s };
  const policy = new NotificationPolicy({ clock, notifier, settings: () => settings, log: silentLogger });
  return { clock, notifier, settings, policy, sent: notifier.sent };
}

describe('notification policy', () => {
  it('announces a new firing alert at once: title, body, urgency critical and sticky for P1', () => {
    const { policy, sent } = setup();
    const a = firingAlert({ fingerprint: 'a1' });
    policy.observe([arrive(a)]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      title: '[P1] OrderPullFailures · order-sync',
      body: 'Order pull failed more than 50 times in 5 min',
      urgency: 'critical',
      sticky: true,
      fingerprint: 'a1',
    });
  });

  it('maps P2 to normal and P3 to low, non-sticky; respects notifyMinSeverity', () => {
    const { policy, sent, settings } = setup({ notifyMinSeverity: 'P3' });
    policy.observe([arrive(firingAlert({ severity: 'P2', labels: { alertname: 'QueueBacklog', service: 'order-sync' } }))]);
    policy.observe([arrive(firingAlert({ severity: 'P3', labels: { alertname: 'FxRefreshSlow', service: 'order-sync' } }))]);
    expect(sent.map((n) => [n.urgency, n.sticky])).toEqual([
      ['normal', false],
      ['low', false],
    ]);
    settings.notifyMinSeverity = 'P1';
    policy.observe([arrive(firingAlert({ severity: 'P2', labels: { alertname: 'DbP95High', service: 'order-sync' } }))]);
    expect(sent).toHaveLength(2);
  });

  it('dedups by fingerprint: the same alert arriving again is not announced again', () => {
    const { policy, sent } = setup();
    const a = firingAlert({ fingerprint: 'same' });
    policy.observe([arrive(a)]);
    policy.observe([change(a, { ...a, updatedAt: a.updatedAt + 1000 })]);
    expect(sent).toHaveLength(1);
  });

  it('storm: 500 alerts of one group give one pop-up now and one "more firing" when the group window closes', () => {
    const { policy, sent, clock } = setup();
    for (let batch = 0; batch < 10; batch++) {
      policy.observe(Array.from({ length: 50 }, (_, i) => arrive(firingAlert({ fingerprint: `s${batch}-${i}`, labels: { alertname: 'OrderPullFailures', service: 'order-sync', instance: `10.0.${batch}.${i}:9100` } }))));
      clock.advance(500);
    }
    expect(sent).toHaveLength(1);
    expect(sent[0].title).toBe('[P1] OrderPullFailures · order-sync — 50 firing');
    expect(sent[0].body.split('\n')).toHaveLength(4); // three summaries and "+47 more"
    clock.advance(60_000);
    expect(sent).toHaveLength(2);
    expect(sent[1].title).toBe('[P1] OrderPullFailures · order-sync — 450 more firing');
    expect(sent[1].tag).toBe(sent[0].tag);
  });

  it('storm across many groups is capped: a handful of pop-ups, the rest in one summary', () => {
    const { policy, sent, clock } = setup();
    const services = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    policy.observe(
      Array.from({ length: 500 }, (_, i) =>
        arrive(firingAlert({ fingerprint: `m${i}`, severity: i === 499 ? 'P0' : 'P1', labels: { alertname: 'OrderPullFailures', service: services[i % 25] } })),
      ),
    );
    expect(sent.length).toBe(3);
    clock.advance(30_000);
    expect(sent.length).toBe(4);
    expect(sent[3].title).toMatch(/^\[P0\] Alert storm: \d+ alerts in 22 groups$/);
    expect(sent[3]).toMatchObject({ urgency: 'critical', sticky: true });
    clock.advance(5 * 60_000 - 30_000);
    // repeats for unacked P0/P1 are capped the same way
    expect(sent.length).toBeLessThanOrEqual(8);
  });

  it('repeats unacked P0/P1 every notifyRepeatMinutes until acked', () => {
    const { policy, sent, clock } = setup({ notifyRepeatMinutes: 5 });
    const a = firingAlert({ fingerprint: 'r1', severity: 'P0' });
    policy.observe([arrive(a)]);
    clock.advance(5 * 60_000);
    expect(sent).toHaveLength(2);
    expect(sent[1].title).toBe('[P0] Still unacked: OrderPullFailures · order-sync');
    expect(sent[1].body).toContain('Firing for 5 min without an ack');
    clock.advance(5 * 60_000);
    expect(sent).toHaveLength(3);
    const acked = { ...a, ackedBy: 'li.wei', ackedAt: clock.now() };
    policy.observe([change(a, acked)]);
    clock.advance(30 * 60_000);
    expect(sent).toHaveLength(3);
  });

  it('does not repeat P2, nor when notifyRepeatMinutes is 0', () => {
    const a = setup({ notifyRepeatMinutes: 5 });
    a.policy.observe([arrive(firingAlert({ severity: 'P2' }))]);
    a.clock.advance(60 * 60_000);
    expect(a.sent).toHaveLength(1);
    const b = setup({ notifyRepeatMinutes: 0 });
    b.policy.observe([arrive(firingAlert({ severity: 'P0' }))]);
    b.clock.advance(60 * 60_000);
    expect(b.sent).toHaveLength(1);
  });

  it('quiet hours hold back P1 but P0 breaks through; a held P1 is repeated once quiet hours end', () => {
    // 23:30 UTC, quiet 22:00–07:00 in UTC
    const { policy, sent, clock } = setup(
      { quietHours: { enabled: true, start: '22:00', end: '07:00' }, notifyRepeatMinutes: 60 },
      Date.UTC(2026, 0, 5, 23, 30),
    );
    policy.observe([arrive(firingAlert({ fingerprint: 'q1', severity: 'P1', labels: { alertname: 'ShipmentPushFailures', service: 'order-sync' } }))]);
    expect(sent).toHaveLength(0);
    policy.observe([arrive(firingAlert({ fingerprint: 'q0', severity: 'P0', labels: { alertname: 'ApiP99High', service: 'order-sync' } }))]);
    expect(sent.map((n) => n.title)).toEqual(['[P0] ApiP99High · order-sync']);
    clock.set(Date.UTC(2026, 0, 6, 7, 30));
    expect(sent.map((n) => n.title)).toContain('[P1] Still unacked: ShipmentPushFailures · order-sync');
  });

  it('quiet hours follow the configured time zone and may span midnight', () => {
    const s = (start: string, end: string, timeZone = 'UTC') => ({ quietHours: { enabled: true, start, end }, timeZone });
    const at = Date.UTC(2026, 0, 5, 15, 0); // 15:00 UTC = 23:00 in Shanghai
    expect(inQuietHours(at, s('22:00', '07:00'))).toBe(false);
    expect(inQuietHours(at, s('22:00', '07:00', 'Asia/Shanghai'))).toBe(true);
    expect(inQuietHours(at, s('12:00', '16:00'))).toBe(true);
    expect(inQuietHours(at, s('15:01', '16:00'))).toBe(false);
    expect(inQuietHours(at, { quietHours: { enabled: false, start: '00:00', end: '00:00' }, timeZone: 'UTC' })).toBe(false);
    expect(inQuietHours(at, s('00:00', '00:00'))).toBe(true);
  });

  it('mute holds back everything but P0 until it ends', () => {
    const { policy, sent, clock } = setup({ notifyRepeatMinutes: 0 });
    policy.setMutedUntil(clock.now() + 15 * 60_000);
    policy.observe([arrive(firingAlert({ severity: 'P1', labels: { alertname: 'A', service: 'order-sync' } }))]);
    policy.observe([arrive(firingAlert({ severity: 'P0', labels: { alertname: 'B', service: 'order-sync' } }))]);
    expect(sent.map((n) => n.title)).toEqual(['[P0] B · order-sync']);
    clock.advance(15 * 60_000);
    policy.observe([arrive(firingAlert({ severity: 'P1', labels: { alertname: 'C', service: 'order-sync' } }))]);
    expect(sent).toHaveLength(2);
  });

  it('ignores silenced, inhibited and acked alerts, and notifies when a silence ends on a firing alert', () => {
    const { policy, sent } = setup();
    const silenced = firingAlert({ fingerprint: 'x1', silencedBy: ['sil-1'] });
    policy.observe([arrive(silenced), arrive(firingAlert({ inhibitedBy: ['fp-root'] })), arrive(firingAlert({ ackedBy: 'li.wei' }))]);
    expect(sent).toHaveLength(0);
    policy.observe([change(silenced, { ...silenced, silencedBy: [] })]);
    expect(sent).toHaveLength(1);
  });

  it('an alert that fired and was silenced before its group window closed is not announced late', () => {
    const { policy, sent, clock } = setup();
    policy.observe([arrive(firingAlert({ fingerprint: 'first' }))]);
    const second = firingAlert({ fingerprint: 'second' });
    policy.observe([arrive(second)]);
    policy.observe([change(second, { ...second, silencedBy: ['s'] })]);
    clock.advance(61_000);
    expect(sent).toHaveLength(1);
  });

  it('resolved notices only with notifyResolved, low urgency, one per group', () => {
    const off = setup();
    const a = firingAlert({ fingerprint: 'z1' });
    off.policy.observe([arrive(a)]);
    off.policy.observe([change(a, { ...a, state: 'resolved' })]);
    off.clock.advance(120_000);
    expect(off.sent).toHaveLength(1);

    const on = setup({ notifyResolved: true });
    const b = firingAlert({ fingerprint: 'z2' });
    const c = firingAlert({ fingerprint: 'z3' });
    on.policy.observe([arrive(b), arrive(c)]);
    on.clock.advance(60_000);
    on.policy.observe([change(b, { ...b, state: 'resolved' }), change(c, { ...c, state: 'resolved' })]);
    expect(on.sent.at(-1)).toMatchObject({ title: 'Resolved: OrderPullFailures · order-sync', body: '2 alerts resolved', urgency: 'low', sticky: false });
  });

  it('writes Chinese notifications when the language is zh-CN', () => {
    const { policy, sent } = setup({ language: 'zh-CN' });
    policy.observe([arrive(firingAlert({ fingerprint: 'c1' })), arrive(firingAlert({ fingerprint: 'c2' }))]);
    expect(sent[0].title).toBe('[P1] OrderPullFailures · order-sync — 2 条告警中');
  });
});
