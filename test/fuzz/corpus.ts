/**
 * Valid frames for the mutator to start from. Event data comes from the project's own demo content read
 * by the gateway's real loaders (runbooks, roster, dashboards), so the corpus has the shapes a gateway
 * really sends; alerts, silences, incidents and handovers are built here in the protocol's shapes.
 */
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { loadDashboards, loadRoster, loadRunbooks } from '@gateway/sources/content';
import { toDashboard } from '@shared/dashboard-spec';
import type { ActionType } from '@shared/actions';
import type { Alert, Silence } from '@shared/alerts';
import type { HandoverDoc, IncidentDoc } from '@shared/protocol';
import { firingAlert } from '../helpers/alerts';

const DEMO = path.resolve(__dirname, '../../resources/demo');
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export function alertData(i: number, over: Partial<Alert> = {}): Alert {
  const name = ['OrdersPullFailing', 'ShipmentPushFailing', 'QueueBacklogHigh', 'DbP95Slow'][i % 4];
  return firingAlert({
    fingerprint: `fz${i.toString(16).padStart(8, '0')}`,
    alertname: name,
    labels: { alertname: name, service: `svc-${i % 5}`, severity: ['P0', 'P1', 'P2', 'P3'][i % 4] },
    annotations: { summary: `fuzz alert ${i}`, runbook_url: 'https://runbooks.example/queue-backlog' },
    severity: (['P0', 'P1', 'P2', 'P3'] as const)[i % 4],
    startsAt: T0 + i,
    updatedAt: T0 + i,
    ...over,
  });
}

export function silenceData(i: number): Silence {
  return {
    id: `sil-${i}`,
    matchers: [{ name: 'service', value: `svc-${i % 5}`, isRegex: false, isEqual: true }],
    startsAt: T0,
    endsAt: T0 + 3_600_000,
    createdBy: 'fuzz',
    comment: `maintenance window ${i}`,
    state: 'active',
    updatedAt: T0,
  };
}

function incidentDoc(i: number): IncidentDoc {
  return {
    id: `inc-${i}`,
    title: `Order pull failing ${i}`,
    severity: 'P1',
    proposedSeverity: 'P1',
    status: 'open',
    fingerprints: [alertData(i).fingerprint],
    declaredBy: 'fuzz',
    declaredAt: T0,
    fields: { changeFreeze: true, roles: { commander: 'Li Wei' } },
    timeline: [{ id: `tl-${i}`, kind: 'note', text: 'rolled back the release', at: T0 + 60_000, author: 'fuzz' }],
    statusUpdates: [{ phase: 'start', text: 'investigating', at: T0, author: 'fuzz' }],
    closedAt: null,
    closedBy: null,
    postmortem: null,
    updatedAt: T0 + 60_000,
  };
}

function handoverDoc(i: number): HandoverDoc {
  return {
    id: `ho-${i}`,
    record: { open: [], notes: 'quiet shift' },
    submittedBy: 'fuzz',
    submittedAt: T0,
    signedBy: null,
    signedAt: null,
    note: null,
  };
}

/** Event kinds with valid data: what a gateway sends in snapshots and events. */
export function eventCorpus(): { kind: string; data: unknown }[] {
  const { runbooks } = loadRunbooks(path.join(DEMO, 'runbooks'));
  const roster = loadRoster(path.join(DEMO, 'roster.yaml'));
  const dashboards = loadDashboards(path.join(DEMO, 'dashboards')).map((s) => {
    const { fetchedAt: _f, ...d } = toDashboard(s, T0);
    return d;
  });
  const d0 = dashboards[0];
  const out: { kind: string; data: unknown }[] = [];
  for (let i = 0; i < 40; i++) out.push({ kind: 'alert.upsert', data: alertData(i) });
  out.push({
    kind: 'alert.upsert',
    data: alertData(3, { state: 'resolved', endsAt: T0 + 9, ackedBy: 'ops', ackedAt: T0 + 5, ackId: 'sil-3' }),
  });
  out.push({ kind: 'alert.remove', data: { fingerprint: alertData(7).fingerprint } });
  for (let i = 0; i < 5; i++) out.push({ kind: 'silence.upsert', data: silenceData(i) });
  out.push({ kind: 'silence.remove', data: { id: 'sil-2' } });
  for (const r of runbooks) out.push({ kind: 'runbook.upsert', data: r });
  out.push({ kind: 'runbook.remove', data: { id: runbooks[0].id } });
  for (const d of dashboards) out.push({ kind: 'dashboard.upsert', data: d });
  out.push({
    kind: 'series.update',
    data: {
      dashboardId: d0.id,
      panelId: d0.panels[0].id,
      series: [
        {
          labels: { shop: 'a' },
          points: [
            [T0, 1],
            [T0 + 60_000, 2.5],
          ],
        },
      ],
      rangeStart: T0 - 3_600_000,
      rangeEnd: T0,
      stepSeconds: 60,
      fetchedAt: T0,
    },
  });
  out.push({ kind: 'roster.upsert', data: roster });
  out.push({ kind: 'incident.update', data: { id: 'inc-1', incident: incidentDoc(1), updatedAt: T0 } });
  out.push({ kind: 'handover.update', data: { id: 'ho-1', handover: handoverDoc(1), at: T0 } });
  out.push({ kind: 'checklist.result', data: { runId: 'run-1', result: { items: [] }, at: T0 } });
  out.push({ kind: 'future.kind', data: { anything: true } });
  return out;
}

/** Valid payloads for every action type (the gateway's own schemas accept each). */
export function actionCorpus(): { action: ActionType; payload: unknown }[] {
  const fp = alertData(1).fingerprint;
  return [
    { action: 'alert.ack', payload: { fingerprint: fp, note: 'looking', durationMinutes: 30 } },
    { action: 'alert.unack', payload: { fingerprint: fp } },
    { action: 'alert.resolve', payload: { fingerprint: fp, note: 'fixed' } },
    { action: 'alert.escalate', payload: { fingerprint: fp, level: 2, reason: 'no answer' } },
    {
      action: 'silence.create',
      payload: {
        matchers: [{ name: 'service', value: 'svc-1', isRegex: false, isEqual: true }],
        endsAt: T0 + 3_600_000,
        comment: 'deploy',
      },
    },
    { action: 'silence.expire', payload: { silenceId: 'sil-1' } },
    {
      action: 'incident.declare',
      payload: {
        incidentId: 'inc-fz',
        title: 'Orders stuck',
        severity: 'P1',
        proposedSeverity: 'P1',
        fingerprints: [fp],
      },
    },
    { action: 'incident.update', payload: { incidentId: 'inc-fz', patch: { changeFreeze: true } } },
    {
      action: 'incident.timeline',
      payload: { incidentId: 'inc-fz', entryId: 'e1', kind: 'note', text: 'paged DBA', at: T0 },
    },
    { action: 'incident.status_update', payload: { incidentId: 'inc-fz', phase: 'update', text: 'mitigating', updateId: 'su-fz' } },
    { action: 'paging.test', payload: { testId: 'test-fz' } },
    { action: 'incident.close', payload: { incidentId: 'inc-fz', postmortem: '# Postmortem' } },
    { action: 'checklist.result', payload: { runId: 'r1', templateId: 'shift-self-check', result: { ok: true } } },
    { action: 'handover.submit', payload: { handoverId: 'h1', record: { notes: 'x' } } },
    { action: 'handover.sign', payload: { handoverId: 'h1', signedBy: 'Li Wei' } },
  ];
}

export const newActionId = (): string => uuidv7();
export { T0 };
