import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import type { EscalationState } from '@shared/roster';
import { createHarness, importDemo, type Harness } from './harness';

const MIN = 60_000;
// 2026-01-05 09:00 UTC = 17:00 in Shanghai, a Monday: Fang Qi has the Ozon day shift (08:00–20:00),
// Lu Chen the Ozon second line week.
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

let h: Harness;
afterEach(() => h?.cleanup());

// the module's handlers are typed `T | Promise<T>`; the roster's are synchronous
const list = () => h.roster.handlers.escalationsList() as EscalationState[];
const escalations = () => h.outbox().filter((a) => a.type === 'alert.escalate');
const escalated = () => h.notifier.sent.filter((n) => n.title.startsWith('Escalated'));
const reminders = () => h.notifier.sent.filter((n) => n.title.startsWith('Still not acknowledged'));

describe('escalation of an unacked P1 (handbook 000: second line within 10 min)', () => {
  it('reminds L1, then escalates L2 at 10 min, L3 at 30, L4 at 60 — once each, naming who to reach', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-ozon-1', alertname: 'OzonOrderPullFailures', severity: 'P1' });
    h.clock.advance(0);
    expect(list()).toMatchObject([
      { subjectId: 'fp-ozon-1', policyId: 'ozon-p1', level: 1, current: [{ name: 'Fang Qi' }], next: { level: 2, at: T0 + 10 * MIN, people: [{ name: 'Lu Chen' }] } },
    ]);
    expect(h.notifier.sent).toEqual([]); // the first page is the alert console's own notification

    h.clock.advance(3 * MIN); // remindMinutes: 3
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0].body).toContain('Fang Qi (tel +86 131 5550 0201, DingTalk fangqi_ozon)');
    expect(reminders()[0].body).toContain('Escalates to L2 in 7 min');

    h.clock.advance(7 * MIN - 1);
    expect(escalations()).toHaveLength(0);
    h.clock.advance(1); // exactly 10 min
    expect(escalations()).toEqual([
      {
        type: 'alert.escalate',
        payload: { fingerprint: 'fp-ozon-1', level: 2, automatic: true, reason: 'not acknowledged for 10 min; automatic escalation to L2' },
      },
    ]);
    expect(escalated()).toHaveLength(1);
    expect(escalated()[0]).toMatchObject({
      title: 'Escalated to L2 (second line): P1 OzonOrderPullFailures',
      urgency: 'critical',
      sticky: true,
      fingerprint: 'fp-ozon-1',
    });
    expect(escalated()[0].body).toContain('Lu Chen (tel +86 131 5550 0204, Slack U0LUCHEN04)');

    h.clock.advance(20 * MIN); // 30 min: L3 tech lead
    h.clock.advance(30 * MIN); // 60 min: L4 management
    h.clock.advance(120 * MIN); // top of the ladder: reminders only
    expect(escalations().map((a) => a.payload.level)).toEqual([2, 3, 4]);
    expect(escalated().map((n) => n.body.split('Reach: ')[1].split(' (')[0])).toEqual(['Lu Chen', 'Karin Holm', 'Olga Sand']);
    expect(list()[0]).toMatchObject({ level: 4, levels: 4, next: null, stoppedAt: null });
    expect(reminders().length).toBeGreaterThan(10);
  });

  it('follows handbook 004 for Paimon: L2 after 30 min, L3 an hour after that', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-paimon', alertname: 'PaimonL1RatioLow', severity: 'P2', labels: { team: 'paimon' } });
    h.clock.advance(30 * MIN - 1);
    expect(escalations()).toHaveLength(0);
    h.clock.advance(1);
    expect(escalations().map((a) => a.payload.level)).toEqual([2]);
    h.clock.advance(60 * MIN - 1);
    expect(escalations()).toHaveLength(1);
    h.clock.advance(1);
    expect(escalations().map((a) => a.payload.level)).toEqual([2, 3]);
  });

  it('lists each ladder with the labels that tell alerts of one name apart (cut as the views cut them)', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-a', severity: 'P1', labels: { team: 'ozon-channel', shop_id: '101', instance: 'pull-1' } });
    h.upsertAlert({ fingerprint: 'fp-b', severity: 'P1', labels: { team: 'ozon-channel', shop_id: '202', instance: 'x'.repeat(5000) } });
    h.clock.advance(0);
    const byFp = new Map(list().map((e) => [e.subjectId, e]));
    expect(byFp.get('fp-a')?.title).toBe(byFp.get('fp-b')?.title);
    expect(byFp.get('fp-a')?.keyLabels).toEqual([['instance', 'pull-1'], ['shop_id', '101'], ['team', 'ozon-channel']]);
    expect(byFp.get('fp-b')?.keyLabels?.[0]).toEqual(['instance', 'x'.repeat(4096)]);
    expect(byFp.get('fp-b')?.keyLabels?.[1]).toEqual(['shop_id', '202']);
  });

  it('leaves alerts below every policy threshold alone', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-p3', severity: 'P3', labels: { team: 'ozon-channel' } });
    h.clock.advance(180 * MIN);
    expect(list()).toEqual([]);
    expect(h.outbox()).toEqual([]);
  });
});

describe('stopping', () => {
  it('stops at ack: no further reminder or escalation', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-ack' });
    h.clock.advance(12 * MIN);
    expect(escalations()).toHaveLength(1);
    const sent = h.notifier.sent.length;
    h.upsertAlert({ fingerprint: 'fp-ack', startsAt: T0, ackedBy: 'Lu Chen', ackedAt: h.clock.now() });
    h.clock.advance(0);
    expect(list()[0]).toMatchObject({ level: 2, stopReason: 'acked', stoppedAt: T0 + 12 * MIN });
    h.clock.advance(240 * MIN);
    expect(escalations()).toHaveLength(1);
    expect(h.notifier.sent.length).toBe(sent);
    expect(h.events.filter((e) => e.name === 'escalationChanged').at(-1)?.payload).toEqual({
      subjectKind: 'alert',
      subjectId: 'fp-ack',
      level: 2,
      stopped: true,
    });
  });

  it('stops as soon as the engineer acks, before the platform echoes it (ack waiting in the outbox)', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-inflight' });
    h.clock.advance(5 * MIN);
    h.db
      .prepare("INSERT INTO outbox (id, type, payload, state, created_at) VALUES ('a1', 'alert.ack', ?, 'sent', ?)")
      .run(JSON.stringify({ fingerprint: 'fp-inflight' }), h.clock.now());
    h.alertsChanged();
    h.clock.advance(60 * MIN);
    expect(escalations()).toHaveLength(0);
    expect(list()[0]).toMatchObject({ stopReason: 'acked' });
  });

  it('an ack that failed does not stop the ladder', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-failed' });
    h.db
      .prepare("INSERT INTO outbox (id, type, payload, state, created_at) VALUES ('a2', 'alert.ack', ?, 'failed', ?)")
      .run(JSON.stringify({ fingerprint: 'fp-failed' }), h.clock.now());
    h.clock.advance(12 * MIN);
    expect(escalations()).toHaveLength(1);
  });

  it('stops when the alert resolves, and starts afresh if it is unacked again', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-r' });
    h.clock.advance(5 * MIN);
    h.upsertAlert({ fingerprint: 'fp-r', startsAt: T0, ackedBy: 'Fang Qi', ackedAt: h.clock.now() });
    h.clock.advance(0);
    expect(list()[0].stopReason).toBe('acked');
    h.upsertAlert({ fingerprint: 'fp-r', startsAt: T0 }); // unacked
    h.clock.advance(0);
    expect(list()[0]).toMatchObject({ level: 1, startedAt: T0 + 5 * MIN, stoppedAt: null });
    h.clock.advance(10 * MIN);
    expect(escalations()).toHaveLength(1);
    h.upsertAlert({ fingerprint: 'fp-r', startsAt: T0, state: 'resolved', endsAt: h.clock.now() });
    h.clock.advance(0);
    expect(list()[0].stopReason).toBe('resolved');
  });
});

describe('restart', () => {
  it('resumes in the middle of a ladder at the level the timestamps say, never repeating one', async () => {
    const clock = new FakeClock(T0);
    h = createHarness({ clock });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-restart' });
    clock.advance(12 * MIN);
    expect(escalations().map((a) => a.payload.level)).toEqual([2]);

    h.close(); // the app quits at 12 min …
    clock.advance(25 * MIN); // … and is started again at 37 min: L3 (30 min) came due while it was down
    expect(clock.pendingTimers()).toBe(0);
    h.reopen();
    clock.advance(0);
    expect(escalations().map((a) => a.payload.level)).toEqual([2, 3]);
    expect(escalations()[1].payload.reason).toBe('not acknowledged for 37 min; automatic escalation to L3');

    h.close(); // a restart with nothing due does nothing
    h.reopen();
    clock.advance(0);
    list();
    expect(escalations()).toHaveLength(2);
    clock.advance(23 * MIN - 1);
    expect(escalations()).toHaveLength(2);
    clock.advance(1); // 60 min: L4
    expect(escalations().map((a) => a.payload.level)).toEqual([2, 3, 4]);
  });

  it('after a long gap jumps straight to the due level with one action that says what was passed', async () => {
    const clock = new FakeClock(T0);
    h = createHarness({ clock });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-gap' });
    clock.advance(1 * MIN);
    h.close();
    clock.advance(44 * MIN);
    h.reopen();
    clock.advance(0);
    expect(escalations()).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ level: 3, reason: expect.stringContaining('(L2 passed') }) }),
    ]);
    expect(escalated()).toHaveLength(1);
  });

  it('two passes at the same instant escalate once', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-twice' });
    h.clock.advance(0);
    h.roster.stop?.();
    h.clock.advance(10 * MIN);
    h.alertsChanged(); // engine stopped: no pass
    expect(escalations()).toHaveLength(0);
    h.roster.start?.();
    h.alertsChanged();
    h.clock.advance(0);
    h.alertsChanged();
    h.clock.advance(0);
    expect(escalations()).toHaveLength(1);
  });
});

describe('when the action cannot be queued', () => {
  it('still moves the level and names the next person, and records the failure', async () => {
    h = createHarness({ clock: new FakeClock(T0), failSubmit: true });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-fail' });
    h.clock.advance(10 * MIN);
    expect(escalated()).toHaveLength(1);
    const steps = h.db.prepare("SELECT kind, detail FROM escalation_steps WHERE subject_id = 'fp-fail' ORDER BY id").all();
    expect(steps).toEqual(
      expect.arrayContaining([
        { kind: 'escalated', detail: expect.stringContaining('L2') },
        { kind: 'action_failed', detail: 'outbox unavailable' },
      ]),
    );
    h.clock.advance(1 * MIN);
    expect(escalated()).toHaveLength(1);
  });
});

describe('incidents', () => {
  it('escalates an open, unanswered incident with a timeline entry and stops once someone responds', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-inc', severity: 'P3', labels: { team: 'platform-sre' } });
    h.db
      .prepare(
        `INSERT INTO incidents (id, title, severity, status, declared_by, declared_at, alert_fingerprints, updated_at)
         VALUES ('INC-1', 'Orders not syncing', 'P1', 'open', 'x', ?, '["fp-inc"]', ?)`,
      )
      .run(T0, T0);
    h.alertsChanged();
    h.clock.advance(30 * MIN);
    // platform-sre has its own P2+ policy (three lines): L2 after 30 min
    expect(h.outbox()).toEqual([
      {
        type: 'incident.timeline',
        payload: expect.objectContaining({ incidentId: 'INC-1', kind: 'action', entryId: `esc-${T0}-L2`, text: expect.stringContaining('L2') }),
      },
    ]);
    h.db.prepare("UPDATE incidents SET responded_at = ? WHERE id = 'INC-1'").run(h.clock.now());
    h.alertsChanged();
    h.clock.advance(120 * MIN);
    expect(h.outbox()).toHaveLength(1);
    expect(list().find((e) => e.subjectId === 'INC-1')?.stopReason).toBe('acked');
  });
});

describe('the gateway pages (the console ladder is the offline fallback)', () => {
  const gatewayLadder = (fp: string, stoppedAt: number | null) => ({
    fingerprint: fp,
    ladderId: `${fp}@${T0}`,
    alertname: 'OzonOrderPullFailures',
    severity: 'P1',
    rosterId: 'demo',
    policyId: 'ozon-p1',
    policyName: 'Ozon channel P0/P1',
    startedAt: T0,
    level: 1,
    levels: 4,
    steps: [
      { level: 1, name: 'on call', at: T0, by: null, night: false, people: [{ id: 'zhang', name: '张三', login: null, console: 'no_login' as const }], unstaffed: [], deliveries: [] },
    ],
    next: { level: 2, at: T0 + 10 * MIN, people: [] },
    stoppedAt,
    stopReason: stoppedAt === null ? null : 'the policy is no longer in the roster',
    updatedAt: T0,
  });
  const applyPage = (data: unknown) => {
    const a = h.roster.appliers!.find((x) => x.kind === 'page.update')!;
    h.db.transaction(() => a.apply(data, { seq: 1, at: h.clock.now() }))();
  };

  it('stays quiet while the gateway runs a ladder for the alert, and speaks again once it does not', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    applyPage(gatewayLadder('fp-gw', null));
    h.upsertAlert({ fingerprint: 'fp-gw', alertname: 'OzonOrderPullFailures', severity: 'P1' });
    h.clock.advance(30 * MIN);
    expect(escalations()).toEqual([]);
    expect(reminders()).toEqual([]);
    expect(escalated()).toEqual([]);
    // the list (roster view, detail pane) shows the gateway's level and people, not the idle fallback's
    const shown = list().find((e) => e.subjectId === 'fp-gw');
    expect(shown).toMatchObject({ level: 1, levels: 4, current: [{ id: 'zhang', name: '张三' }], next: { level: 2, at: T0 + 10 * MIN }, gateway: true });
    // the gateway's ladder stopped without an ack (its policy left its roster): the console takes over
    applyPage(gatewayLadder('fp-gw', h.clock.now()));
    h.clock.advance(0);
    expect(escalations().map((a) => a.payload.level)).toEqual([3]);
    expect(escalated()).toHaveLength(1);
  });
});
