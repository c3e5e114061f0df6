/**
 * The incident service's parts on their own: the patch rules (pure), the timeline's alert lines, the
 * escalation entries that come back from the platform as text, the reminders' due list, and the
 * refusals and notifications in the core's language.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { entryText, escalationEntryId, escalationLine, type Incident, type TimelineEntry } from '@shared/incidents';
import { applyPatch, closedIncident } from '@core/process/incident-patch';
import { alertEntry, type AlertHistoryRow } from '@core/process/incident-timeline';
import { pendingAlarms } from '@core/process/incident-alarms';
import { incidentFromDoc } from '@core/process/platform';
import type { IncidentRow } from '@core/process/incident-store';
import { TARGET_PRESETS } from '@shared/incidents';
import { MIN, T0, makeHarness, type Harness } from './harness';

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'INC-1',
  title: 'Orders not pulled',
  severity: 'P1',
  proposedSeverity: 'P1',
  triage: { serviceDown: false, coreAffected: true, uxDegraded: null },
  status: 'investigating',
  changeFreeze: false,
  roles: { commander: null, techLead: null, comms: null, onCall: null },
  fingerprints: ['fp1'],
  impact: null,
  declaredBy: 'Li Wei',
  declaredAt: T0,
  respondedAt: null,
  resolvedAt: null,
  closedAt: null,
  review: null,
  postmortem: null,
  updatedAt: T0,
  ...over,
});
const names = (fps: string[]) => fps.map((f) => `name-of-${f}`).join(', ');
const rang = { respond: T0 + 15 * MIN, resolve: null };

describe('applyPatch', () => {
  it('changes nothing and sends nothing for a patch that repeats the record', () => {
    const cur = incident({ changeFreeze: true, roles: { commander: 'Wang Fang', techLead: null, comms: null, onCall: null } });
    const r = applyPatch(cur, rang, { title: cur.title, changeFreeze: true, roles: { commander: 'Wang Fang' }, fingerprints: ['fp1'] }, T0 + MIN, names);
    expect(r.sent).toEqual({});
    expect(r.lines).toEqual([]);
    expect(r.alarms).toEqual(rang);
  });

  it('a new severity re-arms the reminders not yet met and writes one decision line', () => {
    const r = applyPatch(incident(), rang, { severity: 'P0' }, T0 + MIN, names);
    expect(r.next.severity).toBe('P0');
    expect(r.sent).toEqual({ severity: 'P0' });
    expect(r.alarms).toEqual({ respond: null, resolve: null });
    expect(r.lines).toEqual([{ kind: 'decision', code: 'severity', params: { from: 'P1', to: 'P0' } }]);
    // a met target does not ring again
    expect(applyPatch(incident({ respondedAt: T0 + 2 * MIN }), rang, { severity: 'P0' }, T0 + MIN, names).alarms.respond).toBe(rang.respond);
  });

  it('resolving also counts as the response; reopening clears the resolution', () => {
    const resolved = applyPatch(incident(), rang, { status: 'resolved' }, T0 + 30 * MIN, names);
    expect(resolved.sent).toEqual({ status: 'resolved', resolvedAt: T0 + 30 * MIN, respondedAt: T0 + 30 * MIN });
    const reopened = applyPatch(resolved.next, rang, { status: 'investigating' }, T0 + 40 * MIN, names);
    expect(reopened.sent).toEqual({ status: 'investigating', resolvedAt: null });
    expect(reopened.next.respondedAt).toBe(T0 + 30 * MIN);
  });

  it('roles and linked alerts: one line per role, names only for alerts newly linked', () => {
    const r = applyPatch(incident(), rang, { roles: { commander: 'Wang Fang', comms: null }, fingerprints: ['fp1', 'fp2', 'fp2'] }, T0, names);
    expect(r.sent).toEqual({ roles: { commander: 'Wang Fang', techLead: null, comms: null, onCall: null }, fingerprints: ['fp1', 'fp2'] });
    expect(r.lines).toEqual([
      { kind: 'action', code: 'role', params: { role: 'commander', name: 'Wang Fang' } },
      { kind: 'action', code: 'alerts_linked', params: { names: 'name-of-fp2' } },
    ]);
    // unlinking sends the list but writes no "linked" line
    expect(applyPatch(r.next, rang, { fingerprints: ['fp2'] }, T0, names)).toMatchObject({ sent: { fingerprints: ['fp2'] }, lines: [] });
  });

  it('closing lifts the freeze and fills the times not yet met', () => {
    const review = { rootCause: 'x', usersAffected: '', businessImpact: '', dataImpact: '', wentWell: [], toImprove: [], actionItems: [], lessons: '', reviewMeeting: '' };
    expect(closedIncident(incident({ changeFreeze: true, respondedAt: T0 + MIN }), review, T0 + 9 * MIN)).toMatchObject({
      status: 'closed',
      changeFreeze: false,
      respondedAt: T0 + MIN,
      resolvedAt: T0 + 9 * MIN,
      closedAt: T0 + 9 * MIN,
      review,
    });
  });
});

describe('timeline lines from the alert history', () => {
  const row = (over: Partial<AlertHistoryRow>): AlertHistoryRow => ({ id: 1, fingerprint: 'fp1', at: T0, kind: 'firing', detail: '', params: null, alertname: 'OrderPullFailures', ...over });
  const text = (e: TimelineEntry) => [entryText(e, 'en'), entryText(e, 'zh-CN')];

  it('a state change names who acked it, as the entry’s author', () => {
    const e = alertEntry('INC-1', row({ kind: 'acked', detail: 'by Li Wei' }));
    expect(e).toMatchObject({ id: 'alert:1', author: 'Li Wei', derived: true, kind: 'alert' });
    expect(text(e)).toEqual(['Alert OrderPullFailures: acked by Li Wei', '告警 OrderPullFailures：已确认（Li Wei）']);
  });

  it('a queued action reads in either language, from stored parameters or from an older entry’s line', () => {
    const stored = alertEntry('INC-1', row({ kind: 'action', detail: 'alert.ack queued by on-call', params: JSON.stringify({ action: 'alert.ack', actor: 'on-call' }) }));
    const older = alertEntry('INC-1', row({ kind: 'action', detail: 'alert.ack queued by on-call' }));
    expect(text(stored)).toEqual(['Alert OrderPullFailures: ack requested by on-call', '告警 OrderPullFailures：on-call 已提交确认请求']);
    expect(text(older)).toEqual(text(stored));
    const silence = alertEntry('INC-1', row({ kind: 'action', detail: 'silence queued by Li Wei: release window' }));
    expect(text(silence)).toEqual(['Alert OrderPullFailures: silence requested by Li Wei: release window', '告警 OrderPullFailures：Li Wei 已提交静默请求：release window']);
  });

  it('an alert no longer cached is named by its fingerprint', () => {
    expect(entryText(alertEntry('INC-1', row({ alertname: null })), 'en')).toBe('Alert fp1: fired');
  });
});

describe('escalation entries', () => {
  it('are known again by their id when the platform sends them back as text, and read in the reader’s language', () => {
    const id = escalationEntryId(T0, 2);
    expect(escalationLine(id, T0 + 12 * MIN)).toEqual({ code: 'escalated', params: { level: '2', minutes: '12' } });
    expect(escalationLine('e-123', T0)).toBeNull();
    const doc = {
      id: 'INC-1',
      title: 't',
      severity: 'P1' as const,
      proposedSeverity: 'P1' as const,
      status: 'open' as const,
      fingerprints: [],
      declaredBy: 'Li Wei',
      declaredAt: T0,
      fields: {},
      timeline: [
        { id, incidentId: 'INC-1', at: T0 + 12 * MIN, kind: 'action' as const, author: 'on-call', text: 'Escalated to L2: not acknowledged for 12 min; automatic escalation to L2' },
        { id: 'e-2', incidentId: 'INC-1', at: T0 + 13 * MIN, kind: 'note' as const, author: 'Li Wei', text: 'paged Lu Chen' },
      ],
      statusUpdates: [],
      closedAt: null,
      closedBy: null,
      postmortem: null,
      updatedAt: T0,
    };
    const { timeline } = incidentFromDoc(doc, null);
    expect(timeline.map((e) => entryText(e, 'zh-CN'))).toEqual(['已自动升级到 L2：12 分钟未确认', 'paged Lu Chen']);
    expect(entryText(timeline[0], 'en')).toBe('Escalated to L2: not acknowledged for 12 min');
  });
});

describe('pendingAlarms', () => {
  const rowOf = (inc: Incident, alarms: { respond: number | null; resolve: number | null }): IncidentRow => ({
    id: inc.id,
    title: inc.title,
    severity: inc.severity,
    proposed_severity: inc.proposedSeverity,
    status: inc.status,
    change_freeze: 0,
    roles: JSON.stringify(inc.roles),
    alert_fingerprints: '[]',
    impact: null,
    declared_by: inc.declaredBy,
    declared_at: inc.declaredAt,
    responded_at: inc.respondedAt,
    resolved_at: inc.resolvedAt,
    closed_at: null,
    postmortem: null,
    updated_at: inc.updatedAt,
    triage: null,
    review: null,
    respond_alarm_at: alarms.respond,
    resolve_alarm_at: alarms.resolve,
  });

  it('lists each target not yet met nor rung, due by the severity’s target', () => {
    const rows = [
      rowOf(incident({ id: 'A' }), { respond: null, resolve: null }),
      rowOf(incident({ id: 'B', respondedAt: T0 + MIN }), { respond: null, resolve: null }),
      rowOf(incident({ id: 'C' }), { respond: T0 + 15 * MIN, resolve: null }),
    ];
    const due = pendingAlarms({ openRows: () => rows }, TARGET_PRESETS.seed003, 'UTC', T0).map((a) => [a.inc.id, a.which, (a.dueAt - T0) / MIN]);
    expect(due).toEqual([
      ['A', 'respond', 15],
      ['A', 'resolve', 240],
      ['B', 'resolve', 240],
      ['C', 'resolve', 240],
    ]);
  });
});

describe('in the core’s language', () => {
  let h: Harness;
  afterEach(() => h?.close());
  const triage = { serviceDown: false, coreAffected: true, uxDegraded: null };

  it('refusals and reminders are worded in zh-CN when the setting says so; timeline lines stay codes', async () => {
    h = makeHarness();
    h.settings({ language: 'zh-CN' });
    const { incidents } = h.mod.services;
    const { incident: inc } = await incidents.declare({ title: 'Shipment push failures', triage, severity: 'P1' }, 'Li Wei');
    h.clock.advance(15 * MIN);
    expect(h.notifier.sent.find((n) => n.tag === `incident:${inc.id}:respond`)?.title).toBe(`P1 事故超过响应时限：${inc.id}`);
    expect(() => incidents.addTimeline(inc.id, { kind: 'note', text: 'later', at: T0 + 60 * MIN }, 'Li Wei')).toThrow('时间线条目的时间不能晚于现在。');
    expect(() => incidents.get('INC-nope') ?? incidents.postmortem('INC-nope', 'en')).toThrow('事故“INC-nope”不存在。');
    // the platform's copy of a system line is English, whatever this desk's language
    const declared = h.sent.find((s) => s.type === 'incident.timeline')!.payload as { text: string };
    expect(declared.text).toBe('Incident declared as P1 by Li Wei');
  });
});
