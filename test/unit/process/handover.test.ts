import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { MIN, T0, cacheAlert, makeHarness, type Harness } from './harness';

const HOUR = 60 * MIN;

describe('shift handover', () => {
  let h: Harness;
  afterEach(() => h?.close());

  /**
   * A recorded night shift 21:00–09:00: two alerts fired (one acked, one still open), one from the
   * previous shift still firing, a silenced release alert, an incident still open, a self-check run,
   * and two actions not yet delivered.
   */
  function recordShift(opts: { clockAtStart?: boolean } = {}) {
    const start = T0 - 12 * HOUR;
    h = makeHarness({ clock: new FakeClock(opts.clockAtStart ? start : T0) });
    cacheAlert(h.db, { fp: 'old', name: 'DiskFilling', severity: 'P3', startsAt: start - 2 * HOUR });
    cacheAlert(h.db, { fp: 'a1', name: 'OrderPullFailures', severity: 'P1', startsAt: start + HOUR, ackedBy: 'Li Wei', ackedAt: start + HOUR + 3 * MIN, ackId: 'ack-1' });
    cacheAlert(h.db, { fp: 'a2', name: 'DbSlowQueries', severity: 'P2', startsAt: start + 5 * HOUR });
    cacheAlert(h.db, { fp: 'a3', name: 'ReleaseNoise', severity: 'P2', startsAt: start + 6 * HOUR, silenced: true });
    cacheAlert(h.db, { fp: 'a4', name: 'Resolved', severity: 'P2', state: 'resolved', startsAt: start + 2 * HOUR });
    const silence = h.db.prepare(
      "INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
    );
    const m = (name: string, value: string) => JSON.stringify([{ name, value, isRegex: false, isEqual: true }]);
    silence.run('ack-1', m('alertname', 'OrderPullFailures'), start + HOUR, T0 + 2 * HOUR, 'Li Wei', 'ACK by Li Wei', start);
    silence.run('s-release', m('service', 'release-bot'), start, T0 + 5 * HOUR, 'Li Wei', 'release window', start);
    silence.run('s-later', m('env', 'staging'), start, T0 + 30 * HOUR, 'Li Wei', 'staging rebuild', start);
    silence.run('s-past', m('env', 'dev'), start, T0 - HOUR, 'Li Wei', 'done', start);
    const outbox = h.db.prepare('INSERT INTO outbox (id, type, payload, state, attempts, created_at) VALUES (?, ?, ?, ?, 0, ?)');
    outbox.run('o1', 'alert.ack', '{}', 'pending', T0 - HOUR);
    outbox.run('o2', 'silence.create', '{}', 'failed', T0 - 2 * HOUR);
    outbox.run('o3', 'alert.ack', '{}', 'acked', T0 - 3 * HOUR);
    return start;
  }

  it('drafts the record from the shift history', async () => {
    const start = recordShift({ clockAtStart: true });
    h.clock.set(start + 30 * MIN);
    const sc = await h.mod.services.checklists.start({ templateId: 'shift-self-check' }, 'Li Wei');
    h.clock.set(start + 2 * HOUR);
    const { incident } = await h.mod.services.incidents.declare(
      { title: 'Orders late', triage: { serviceDown: false, coreAffected: true, uxDegraded: null }, severity: 'P1', fingerprints: ['a1'] },
      'Li Wei',
    );
    h.mod.services.incidents.update(incident.id, { changeFreeze: true }, 'Li Wei');
    h.clock.set(T0);

    const d = h.mod.services.handover.draft(undefined);
    expect(d).toMatchObject({ shiftStart: start, shiftEnd: T0, nextShiftEnd: T0 + 12 * HOUR });
    expect(d.alerts.fired.map((a) => a.alertname)).toEqual(['OrderPullFailures', 'Resolved', 'DbSlowQueries', 'ReleaseNoise']);
    expect(d.alerts.acked).toEqual([{ fingerprint: 'a1', alertname: 'OrderPullFailures', severity: 'P1', at: start + HOUR + 3 * MIN, by: 'Li Wei' }]);
    expect(d.alerts.open.map((a) => a.alertname)).toEqual(['OrderPullFailures', 'DbSlowQueries', 'DiskFilling']);
    expect(d.incidents).toEqual([expect.objectContaining({ id: incident.id, status: 'investigating', changeFreeze: true })]);
    expect(d.expiring.map((x) => [x.kind, x.id, x.what])).toEqual([
      ['ack', 'ack-1', 'OrderPullFailures'],
      ['silence', 's-release', 'service="release-bot"'],
    ]);
    expect(d.checklists.map((r) => r.templateId).sort()).toEqual(['response-flow', 'shift-self-check', 'war-room']);
    expect(d.checklists.find((r) => r.runId === sc.run.id)).toMatchObject({ kind: 'self_check', state: 'open' });
    expect(d.outbox).toMatchObject({ pending: 1, failed: 1 });
    expect(d.outbox.items.map((i) => i.id)).toEqual(['o1', 'o2']);
  });

  it('uses the real expiry of acks: one the gateway keeps alive while its alert fires is not handed over', () => {
    recordShift();
    // ack-1 acks a1, which still fires: with the gateway extending it, it does not run out next shift
    h.db.prepare('UPDATE alerts SET ack_auto_extend = 1, ack_expires_at = ? WHERE fingerprint = ?').run(T0 + 2 * HOUR, 'a1');
    expect(h.mod.services.handover.draft(undefined).expiring.map((x) => x.id)).toEqual(['s-release']);
    // once the alert resolves the ack is left to lapse: nothing pages, and it is listed as what it is
    h.db.prepare("UPDATE alerts SET state = 'resolved' WHERE fingerprint = ?").run('a1');
    expect(h.mod.services.handover.draft(undefined).expiring.map((x) => x.id)).toEqual(['ack-1', 's-release']);
  });

  it('is submitted by one operator and signed by another, both sent to the platform', () => {
    const start = recordShift();
    const submitted = h.mod.services.handover.submit({ shiftStart: start, incoming: 'Zhang San', notes: 'Ozon throttling at night', watchItems: ['Silence on release-bot ends 14:00'] }, 'Li Wei');
    expect(submitted).toMatchObject({ state: 'submitted', outgoing: 'Li Wei', incoming: 'Zhang San', submittedAt: T0, signedAt: null });
    expect(h.sent.find((s) => s.type === 'handover.submit')!.payload).toMatchObject({ handoverId: submitted.id, record: { notes: 'Ozon throttling at night' } });

    expect(() => h.mod.services.handover.sign(submitted.id, undefined, 'Li Wei')).toThrow(/cannot also sign/);
    h.clock.advance(5 * MIN);
    const signed = h.mod.services.handover.sign(submitted.id, 'read, will watch Ozon', 'Zhang San');
    expect(signed).toMatchObject({ state: 'signed', signedBy: 'Zhang San', signedAt: T0 + 5 * MIN, signNote: 'read, will watch Ozon' });
    expect(h.sent.find((s) => s.type === 'handover.sign')!.payload).toEqual({ handoverId: submitted.id, signedBy: 'Zhang San', note: 'read, will watch Ozon' });
    expect(() => h.mod.services.handover.sign(submitted.id, undefined, 'Wang Fang')).toThrow(/already signed by Zhang San/);

    // the next shift starts where this one ended
    h.clock.advance(8 * HOUR);
    expect(h.mod.services.handover.draft(undefined).shiftStart).toBe(T0);
  });

  it('keeps a searchable history', () => {
    const start = recordShift();
    h.mod.services.handover.submit({ shiftStart: start, notes: 'Ozon 限流', watchItems: ['发布窗口 18:00–22:00'] }, 'Li Wei');
    h.clock.advance(12 * HOUR);
    h.mod.services.handover.submit({ shiftStart: T0, notes: 'quiet night', watchItems: [] }, 'Zhang San');
    const list = (text?: string) => h.mod.services.handover.list(text, 100).map((x) => x.outgoing);
    expect(list()).toEqual(['Zhang San', 'Li Wei']);
    expect(list('限流')).toEqual(['Li Wei']);
    expect(list('zhang quiet')).toEqual(['Zhang San']);
    expect(list('OrderPullFailures')).toHaveLength(2);
    expect(list('nothing-like-this')).toEqual([]);
  });

  it('refuses shifts that are not shifts', () => {
    h = makeHarness();
    expect(() => h.mod.services.handover.draft(T0 + MIN)).toThrow(/before now/);
    expect(() => h.mod.services.handover.draft(T0 - 8 * 24 * HOUR)).toThrow(/7 days/);
  });

  it('stores handovers from the platform; a signature is never undone by an older copy', () => {
    const start = recordShift();
    const mine = h.mod.services.handover.submit({ shiftStart: start, notes: 'n', watchItems: [] }, 'Li Wei');
    const apply = (handover: unknown) =>
      h.mod.appliers!.find((a) => a.kind === 'handover.update')!.apply({ id: (handover as { id: string }).id, handover, at: T0 }, { seq: 1, at: T0 });
    apply({ ...mine, state: 'signed', signedAt: T0 + MIN, signedBy: 'Zhang San', signNote: null });
    expect(h.mod.services.handover.list(undefined, 10)[0]).toMatchObject({ state: 'signed', signedBy: 'Zhang San' });
    apply(mine);
    expect(h.mod.services.handover.list(undefined, 10)[0].state).toBe('signed');
    expect(() => apply({ id: 'x' })).toThrow();
  });
});
