import { afterEach, describe, expect, it } from 'vitest';
import {
  DeclareSchema,
  TARGET_PRESETS,
  decideSeverity,
  entryText,
  nextQuestion,
  renderStatusUpdate,
  type Triage,
} from '@shared/incidents';
import { FakeClock } from '@node/clock';
import { targetDeadline } from '@core/process/targets';
import { MIN, T0, cacheAlert, makeHarness, type Harness } from './harness';

describe('severity decision tree (handbook 003)', () => {
  const cases: [Triage, string][] = [
    [{ serviceDown: true, coreAffected: null, uxDegraded: null }, 'P0'],
    [{ serviceDown: false, coreAffected: true, uxDegraded: null }, 'P1'],
    [{ serviceDown: false, coreAffected: false, uxDegraded: true }, 'P2'],
    [{ serviceDown: false, coreAffected: false, uxDegraded: false }, 'P3'],
  ];
  it.each(cases)('%j → %s', (answers, severity) => expect(decideSeverity(answers)).toBe(severity));

  it('asks the next question only down the branch taken', () => {
    expect(nextQuestion({})).toBe('serviceDown');
    expect(nextQuestion({ serviceDown: true })).toBeNull();
    expect(nextQuestion({ serviceDown: false })).toBe('coreAffected');
    expect(nextQuestion({ serviceDown: false, coreAffected: true })).toBeNull();
    expect(nextQuestion({ serviceDown: false, coreAffected: false })).toBe('uxDegraded');
    expect(nextQuestion({ serviceDown: false, coreAffected: false, uxDegraded: false })).toBeNull();
  });

  it('needs every answer on the path, and a reason to override', () => {
    const base = { title: 'Orders not pulled', severity: 'P1' as const };
    expect(DeclareSchema.safeParse({ ...base, triage: { serviceDown: false, coreAffected: null, uxDegraded: null } }).success).toBe(false);
    const down = { serviceDown: true, coreAffected: null, uxDegraded: null };
    const r = DeclareSchema.safeParse({ ...base, triage: down });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/needs a reason/);
    expect(DeclareSchema.safeParse({ ...base, triage: down, overrideReason: 'only one region is down' }).success).toBe(true);
  });
});

describe('targets', () => {
  it('minutes and working days (weekends skipped)', () => {
    expect(targetDeadline(T0, { minutes: 15 }, 'UTC')).toBe(T0 + 15 * MIN);
    const friday = Date.UTC(2026, 0, 9, 17, 0);
    expect(targetDeadline(friday, { workingDays: 1 }, 'UTC')).toBe(Date.UTC(2026, 0, 12, 17, 0));
    expect(targetDeadline(friday, { workingDays: 5 }, 'UTC')).toBe(Date.UTC(2026, 0, 16, 17, 0));
  });
});

describe('status update templates', () => {
  const fields = {
    id: 'INC-1',
    severity: 'P1' as const,
    title: 'Order pull failing',
    impact: 'Ozon shops',
    status: 'investigating',
    owner: 'Li Wei',
    progress: 'rolled back',
    eta: '10:30',
    rootCause: 'expired certificate',
    solution: 'renewed it',
    duration: '1 h 10 min',
    review: 'tomorrow 10:00',
  };
  it('fill the start, update and resolved messages in both languages', () => {
    expect(renderStatusUpdate('start', fields, 'en')).toBe(
      '🚨 P1 incident INC-1\nTitle: Order pull failing\nImpact: Ozon shops\nStatus: investigating\nOwner: Li Wei\nETA: 10:30',
    );
    expect(renderStatusUpdate('update', fields, 'zh-CN')).toContain('预计恢复时间：10:30');
    expect(renderStatusUpdate('resolved', fields, 'zh-CN')).toContain('根本原因：expired certificate');
  });
});

describe('incident service', () => {
  let h: Harness;
  afterEach(() => h?.close());
  const triage = { serviceDown: false, coreAffected: true, uxDegraded: null };

  it('declares through the tree, records an override, starts the war-room and the response flow', async () => {
    h = makeHarness();
    cacheAlert(h.db, { fp: 'fp-orders', name: 'OrderPullFailures', startsAt: T0 - 10 * MIN });
    const { incidents } = h.mod.services;
    const d = await incidents.declare(
      { title: 'Orders not pulled from Ozon', triage, severity: 'P0', overrideReason: 'peak sales day', fingerprints: ['fp-orders'], impact: 'all Ozon shops' },
      'Li Wei',
    );
    expect(d.incident).toMatchObject({ severity: 'P0', proposedSeverity: 'P1', status: 'investigating', declaredBy: 'Li Wei', changeFreeze: false });
    expect(d.incident.id).toMatch(/^INC-20260105-[0-9A-F]{4}$/);
    const texts = d.timeline.filter((e) => !e.derived).map((e) => entryText(e, 'en'));
    expect(texts).toEqual([
      'Incident declared as P0 by Li Wei',
      'Severity set to P0 instead of the proposed P1: peak sales day',
      'Linked alerts: OrderPullFailures',
    ]);
    expect(d.runIds).toHaveLength(2);
    const runs = d.runIds.map((id) => h.mod.services.checklists.get(id)!.run.templateId).sort();
    expect(runs).toEqual(['response-flow', 'war-room']);
    expect(h.sent.find((s) => s.type === 'incident.declare')!.payload).toMatchObject({ severity: 'P0', proposedSeverity: 'P1', fingerprints: ['fp-orders'] });
    expect(d.respond).toMatchObject({ dueAt: T0 + 5 * MIN, metAt: null, breached: false });
    expect(d.resolve.dueAt).toBe(T0 + 60 * MIN);
  });

  it('assigns roles, sets the freeze flag, keeps typed minutes and sends each change', async () => {
    h = makeHarness();
    const { incidents } = h.mod.services;
    const { incident } = await incidents.declare({ title: 'DB p95 over 500 ms', triage, severity: 'P1' }, 'Li Wei');
    incidents.update(incident.id, { roles: { commander: 'Wang Fang', techLead: 'Zhang San' }, changeFreeze: true }, 'Li Wei');
    expect(incidents.freezeState()).toEqual([{ id: incident.id, title: 'DB p95 over 500 ms', severity: 'P1', declaredAt: T0 }]);
    h.clock.advance(3 * MIN);
    incidents.addTimeline(incident.id, { kind: 'decision', text: 'Roll back release 2026.01.05' }, 'Wang Fang');
    expect(() => incidents.addTimeline(incident.id, { kind: 'note', text: 'later', at: T0 + 60 * MIN }, 'x')).toThrow(/future/);
    const d = incidents.get(incident.id)!;
    expect(d.incident.roles).toMatchObject({ commander: 'Wang Fang', techLead: 'Zhang San', comms: null });
    const zh = d.timeline.map((e) => entryText(e, 'zh-CN'));
    expect(zh).toContain('事件指挥官：Wang Fang');
    expect(zh).toContain('已开启变更冻结');
    expect(zh).toContain('Roll back release 2026.01.05');
    const update = h.sent.find((s) => s.type === 'incident.update' && 'changeFreeze' in (s.payload as { patch: object }).patch)!;
    expect(update.payload).toMatchObject({ incidentId: incident.id, patch: { changeFreeze: true, roles: { commander: 'Wang Fang' } } });
    expect(h.sent.filter((s) => s.type === 'incident.timeline').map((s) => s.payload)).toContainEqual(
      expect.objectContaining({ kind: 'decision', text: 'Roll back release 2026.01.05', at: T0 + 3 * MIN }),
    );
    // nothing changed, nothing sent
    const n = h.sent.length;
    incidents.update(incident.id, { changeFreeze: true }, 'Li Wei');
    expect(h.sent).toHaveLength(n);
  });

  it('raises the response and resolution timers, and stops once met', async () => {
    h = makeHarness();
    const { incidents } = h.mod.services;
    const { incident } = await incidents.declare({ title: 'Shipment push failures', triage, severity: 'P1' }, 'Li Wei');
    h.clock.advance(14 * MIN);
    expect(h.notifier.sent.filter((n) => n.tag.startsWith('incident:'))).toHaveLength(0);
    h.clock.advance(1 * MIN);
    const respond = h.notifier.sent.filter((n) => n.tag === `incident:${incident.id}:respond`);
    expect(respond).toHaveLength(1);
    expect(respond[0]).toMatchObject({ urgency: 'critical', sticky: true, body: 'Shipment push failures' });
    expect(incidents.get(incident.id)!.respond.breached).toBe(true);
    // the first "start" message counts as the response
    incidents.statusUpdate(incident.id, 'start', '🚨 P1 incident', 'Li Wei');
    expect(incidents.get(incident.id)!.incident.respondedAt).toBe(T0 + 15 * MIN);
    incidents.update(incident.id, { status: 'resolved' }, 'Li Wei');
    h.clock.advance(5 * 60 * MIN);
    expect(h.notifier.sent.filter((n) => n.tag === `incident:${incident.id}:resolve`)).toHaveLength(0);
  });

  it("a status update is queued with its entry id; the timeline says queued, then each channel's answer from the gateway", async () => {
    h = makeHarness();
    const incidents = h.mod.services.incidents;
    const { incident } = await incidents.declare({ title: 'Shipment push failures', triage, severity: 'P1' }, 'Li Wei');
    const entry = incidents.statusUpdate(incident.id, 'update', 'Progress: throttled upstream', 'Li Wei');
    const [sent] = h.sent.filter((s) => s.type === 'incident.status_update');
    expect(sent.payload).toEqual({ incidentId: incident.id, phase: 'update', text: 'Progress: throttled upstream', updateId: entry.id });
    const line = () => {
      const e = incidents.get(incident.id)!.timeline.find((x) => x.id === `comms:${entry.id}`);
      return e ? entryText(e, 'en') : null;
    };
    expect(line()).toBe('Status update (update) to the incident channels: queued; it goes out when the platform receives it');
    const apply = (deliveries: unknown[]) =>
      h.mod.appliers!.find((a) => a.kind === 'comms.update')!.apply(
        { id: entry.id, kind: 'incident', incidentId: incident.id, phase: 'update', by: 'Li Wei', login: null, at: T0, deliveries, console: null, none: null, updatedAt: T0 },
        { seq: 1, at: T0 },
      );
    const d = (channel: string, state: string, attempts: number, error: string | null) => ({ channel, type: 'slack', person: null, state, attempts, at: null, error });
    expect(apply([d('status-slack', 'retrying', 1, 'HTTP 500')])).toBe('incidents');
    expect(line()).toBe('Status update (update) to the incident channels: status-slack retrying (1 tries so far): HTTP 500');
    apply([d('status-slack', 'sent', 2, null)]);
    expect(line()).toBe('Status update (update) to the incident channels: status-slack arrived');
    // one entry for the update, not one per report; not sent back to the platform as a timeline entry
    expect(incidents.get(incident.id)!.timeline.filter((x) => x.system?.code === 'comms')).toHaveLength(1);
    expect(h.sent.filter((s) => s.type === 'incident.timeline' && (s.payload as { entryId: string }).entryId.startsWith('comms:'))).toEqual([]);
    // a report for an incident this desk does not have changes nothing
    expect(h.mod.appliers!.find((a) => a.kind === 'comms.update')!.apply({ id: 'x', kind: 'incident', incidentId: 'INC-404', phase: 'start', by: 'A', login: null, at: T0, deliveries: [], console: null, none: 'no_channels', updatedAt: T0 }, { seq: 2, at: T0 })).toBeNull();
  });

  it('recomputes the timers from stored times after a restart, with configurable targets', async () => {
    h = makeHarness();
    h.mod.services.incidents.targets.write(TARGET_PRESETS.seed002, 'Li Wei');
    const { incident } = await h.mod.services.incidents.declare({ title: 'API P99 > 5 s', triage, severity: 'P1' }, 'Li Wei');
    expect(h.mod.services.incidents.get(incident.id)!.respond.dueAt).toBe(T0 + 30 * MIN);
    h = h.restart(new FakeClock(T0 + 29 * MIN));
    h.clock.advance(MIN);
    const incidentTags = () => h.notifier.sent.map((n) => n.tag).filter((t) => t.startsWith('incident:'));
    expect(incidentTags()).toEqual([`incident:${incident.id}:respond`]);
    h = h.restart(new FakeClock(T0 + 4 * 60 * MIN));
    h.clock.advance(0);
    expect(incidentTags()).toEqual([`incident:${incident.id}:resolve`]);
  });

  it('fills the timeline from alert activity during the incident', async () => {
    h = makeHarness();
    cacheAlert(h.db, { fp: 'fp1', name: 'OrderPullFailures', startsAt: T0 - 10 * MIN });
    const ev = h.db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)');
    ev.run('fp1', T0 - 10 * MIN, 'firing', '');
    ev.run('fp1', T0 + 2 * MIN, 'acked', 'by Li Wei');
    ev.run('other', T0 + 2 * MIN, 'acked', 'by Li Wei');
    const { incident } = await h.mod.services.incidents.declare({ title: 'x', triage, severity: 'P1', fingerprints: ['fp1'] }, 'Li Wei');
    h.clock.advance(3 * MIN);
    const derived = h.mod.services.incidents.get(incident.id)!.timeline.filter((e) => e.derived);
    expect(derived.map((e) => [e.at, entryText(e, 'en')])).toEqual([
      [T0 - 10 * MIN, 'Alert OrderPullFailures: fired'],
      [T0 + 2 * MIN, 'Alert OrderPullFailures: acked by Li Wei'],
    ]);
  });

  it('says who asked and what the platform did: requests by their author, a resolve nobody asked for is the platform’s (zh-CN too)', async () => {
    h = makeHarness();
    cacheAlert(h.db, { fp: 'fp1', name: 'OrderPullFailures', startsAt: T0 - 10 * MIN, ackedBy: 'Li Wei' });
    cacheAlert(h.db, { fp: 'fp2', name: 'ApiP99Slow', startsAt: T0 - 10 * MIN });
    const ev = h.db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)');
    ev.run('fp1', T0 + 1 * MIN, 'action', 'alert.ack queued by Li Wei');
    ev.run('fp1', T0 + 2 * MIN, 'acked', 'by Li Wei');
    // the alert recovered by itself; the acker's name the core wrote beside it is not who resolved it
    ev.run('fp1', T0 + 5 * MIN, 'resolved', 'by Li Wei');
    ev.run('fp2', T0 + 3 * MIN, 'action', 'alert.resolve queued by Wang Fang');
    ev.run('fp2', T0 + 4 * MIN, 'resolved', '');
    const { incident } = await h.mod.services.incidents.declare({ title: 'x', triage, severity: 'P1', fingerprints: ['fp1', 'fp2'] }, 'Li Wei');
    h.clock.advance(10 * MIN);
    const detail = h.mod.services.incidents.get(incident.id)!;
    const derived = detail.timeline.filter((e) => e.derived && e.at > T0);
    expect(derived.map((e) => entryText(e, 'en'))).toEqual([
      // a queued action reads as the alert history says it
      'Alert OrderPullFailures: ack requested by Li Wei',
      'Alert OrderPullFailures: acked by Li Wei',
      'Alert ApiP99Slow: resolve requested by Wang Fang',
      'Alert ApiP99Slow: resolved by Wang Fang',
      'Alert OrderPullFailures: resolved by the platform (no one asked to resolve it)',
    ]);
    expect(derived.map((e) => entryText(e, 'zh-CN'))).toEqual([
      '告警 OrderPullFailures：Li Wei 已提交确认请求',
      '告警 OrderPullFailures：已确认（Li Wei）',
      '告警 ApiP99Slow：Wang Fang 已提交标记解决请求',
      '告警 ApiP99Slow：已恢复（Wang Fang）',
      '告警 OrderPullFailures：已由平台恢复（无人请求恢复）',
    ]);
    expect(derived.every((e) => !/[a-z]+\.[a-z]+ queued/.test(entryText(e, 'zh-CN')))).toBe(true);
    // the incident names its alerts, not their fingerprints
    expect(detail.alerts.map((a) => a.alertname)).toEqual(['OrderPullFailures', 'ApiP99Slow']);
  });

  it('shows when an alert first seen in a snapshot fired, from its startsAt, once', async () => {
    h = makeHarness();
    // no history row: the snapshot writer records none for alerts it sees for the first time
    cacheAlert(h.db, { fp: 'snap', name: 'TaskBacklogHigh', startsAt: T0 - 5 * MIN });
    cacheAlert(h.db, { fp: 'seen', name: 'OrderPullFailures', startsAt: T0 - 8 * MIN });
    h.db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)').run('seen', T0 - 7 * MIN, 'firing', '');
    const { incident } = await h.mod.services.incidents.declare(
      { title: 'x', triage, severity: 'P1', fingerprints: ['snap', 'seen'] },
      'Li Wei',
    );
    const derived = h.mod.services.incidents.get(incident.id)!.timeline.filter((e) => e.derived);
    expect(derived.map((e) => [e.at, entryText(e, 'en')])).toEqual([
      [T0 - 7 * MIN, 'Alert OrderPullFailures: fired'],
      [T0 - 5 * MIN, 'Alert TaskBacklogHigh: fired'],
    ]);
    expect(new Set(derived.map((e) => e.id)).size).toBe(2);
  });

  it('closes with a postmortem, lifts the freeze, and refuses further changes', async () => {
    h = makeHarness();
    const { incidents } = h.mod.services;
    const { incident } = await incidents.declare({ title: 'Queue backlog', triage, severity: 'P2', overrideReason: 'x' }, 'Li Wei');
    incidents.update(incident.id, { changeFreeze: true }, 'Li Wei');
    h.clock.advance(40 * MIN);
    const closed = incidents.close(incident.id, { rootCause: 'A stuck consumer', wentWell: [], toImprove: [], actionItems: [], lessons: '', usersAffected: '', businessImpact: '', dataImpact: '', reviewMeeting: '' }, 'zh-CN', 'Li Wei');
    expect(closed.incident).toMatchObject({ status: 'closed', changeFreeze: false, closedAt: T0 + 40 * MIN, resolvedAt: T0 + 40 * MIN });
    expect(closed.incident.postmortem).toMatch(/^# 事件复盘报告 INC-/);
    expect(incidents.freezeState()).toEqual([]);
    expect(h.sent.find((s) => s.type === 'incident.close')!.payload).toMatchObject({ incidentId: incident.id });
    expect(incidents.postmortem(incident.id, 'en')).toMatch(/^# Incident review INC-.*\n[\s\S]*## Root cause\nA stuck consumer/);
    expect(() => incidents.update(incident.id, { title: 'y' }, 'Li Wei')).toThrow(/closed/);
    expect(() => incidents.addTimeline(incident.id, { kind: 'note', text: 'late note' }, 'Li Wei')).toThrow(/closed/);

    // reopening is explicit, with a reason: investigating again, the resolution clock running
    expect(() => incidents.reopen('INC-unknown', 'x', 'Li Wei')).toThrow();
    h.clock.advance(5 * MIN);
    const reopened = incidents.reopen(incident.id, 'the backlog came back', 'Wang Fang');
    expect(reopened.incident).toMatchObject({ status: 'investigating', closedAt: null, resolvedAt: null });
    expect(entryText(reopened.timeline.at(-1)!, 'en')).toBe('Incident reopened: the backlog came back');
    expect(h.sent.filter((s) => s.type === 'incident.reopen').map((s) => s.payload)).toEqual([{ incidentId: incident.id, reason: 'the backlog came back' }]);
    expect(() => incidents.reopen(incident.id, 'again', 'Wang Fang')).toThrow(/not closed/);
    incidents.update(incident.id, { title: 'Queue backlog, again' }, 'Wang Fang');
  });

  it('stores incidents from the platform unless changes here are still unsent; entries are not doubled', async () => {
    h = makeHarness();
    const { incident } = await h.mod.services.incidents.declare({ title: 'Local', triage, severity: 'P1' }, 'Li Wei');
    const apply = (data: unknown) => h.mod.appliers!.find((a) => a.kind === 'incident.update')!.apply(data, { seq: 1, at: T0 });
    const d = h.mod.services.incidents.get(incident.id)!;
    const stored = d.timeline.filter((e) => !e.derived);
    apply({ id: incident.id, updatedAt: T0 + 1, incident: { ...incident, title: 'From platform', updatedAt: T0 + 1, timeline: stored } });
    const after = h.mod.services.incidents.get(incident.id)!;
    expect(after.incident.title).toBe('From platform');
    expect(after.timeline).toHaveLength(d.timeline.length);
    // a change still in the outbox: the platform's copy predates it and must not undo it
    h.db.prepare("INSERT INTO outbox (id, type, payload, state, attempts, created_at) VALUES ('o1', 'incident.update', ?, 'pending', 0, ?)").run(
      JSON.stringify({ incidentId: incident.id, patch: { title: 'From platform' } }),
      T0,
    );
    apply({ id: incident.id, updatedAt: T0 + 2, incident: { ...incident, title: 'Older', updatedAt: T0 + 2 } });
    expect(h.mod.services.incidents.get(incident.id)!.incident.title).toBe('From platform');
    expect(() => apply({ id: 'other', updatedAt: T0, incident: { ...incident, updatedAt: T0 + 5 } })).toThrow(/does not match/);
    expect(() => apply({ id: 'x', updatedAt: T0, incident: { id: 'x' } })).toThrow();
  });
});
