import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry } from '@shared/incidents';
import { renderPostmortem } from '@core/process/postmortem';

const T = (h: number, m: number) => Date.UTC(2026, 0, 5, h, m);
const FIXTURES = path.resolve(__dirname, '../../fixtures/process');

/** A recorded P1: alert fired 08:52, declared 09:00, rolled back, resolved 10:10, closed with a review. */
const incident: Incident = {
  id: 'INC-20260105-7F3A',
  title: 'Ozon order pull failing',
  severity: 'P1',
  proposedSeverity: 'P2',
  triage: { serviceDown: false, coreAffected: false, uxDegraded: true },
  status: 'closed',
  changeFreeze: false,
  roles: { commander: 'Wang Fang', techLead: 'Zhang San', comms: null, onCall: 'Li Wei' },
  fingerprints: ['fp-orders-pull'],
  impact: 'Orders of all Ozon shops arrive late',
  declaredBy: 'Li Wei',
  declaredAt: T(9, 0),
  respondedAt: T(9, 3),
  resolvedAt: T(10, 10),
  closedAt: T(10, 30),
  review: {
    rootCause: 'Release 2026.01.05 halved the pull batch timeout; the upstream answered 429 and retries piled up.',
    usersAffected: 'about 1,200 shops',
    businessImpact: 'orders delayed by up to 70 minutes',
    dataImpact: 'none: every order was pulled after the rollback',
    wentWell: ['Alert fired within 2 minutes', 'Rollback took 6 minutes'],
    toImprove: ['Release notes did not mention the timeout change'],
    actionItems: [
      { what: 'Add exponential backoff to the order pull | per shop', owner: 'Zhang San', due: '2026-01-12', priority: 'P1' },
      { what: 'Alert on 429 rate from Ozon', owner: 'Li Wei', due: '2026-01-09', priority: 'P2' },
    ],
    lessons: 'Timeout changes need a canary of at least 10% first.',
    reviewMeeting: '2026-01-06 10:00',
  },
  postmortem: null,
  updatedAt: T(10, 30),
};

const e = (id: string, at: number, kind: TimelineEntry['kind'], author: string, text: string, system?: TimelineEntry['system']): TimelineEntry => ({
  id,
  incidentId: incident.id,
  at,
  kind,
  author,
  text,
  system: system ?? null,
});

const timeline: TimelineEntry[] = [
  { ...e('alert:1', T(8, 52), 'alert', '', 'OrderPullFailures firing', { code: 'alert', params: { alertname: 'OrderPullFailures', kind: 'firing', by: '', detail: '' } }), derived: true },
  e('t1', T(9, 0), 'decision', 'Li Wei', 'declared', { code: 'declared', params: { severity: 'P1' } }),
  e('t2', T(9, 0), 'decision', 'Li Wei', 'override', { code: 'override', params: { severity: 'P1', proposed: 'P2', reason: 'peak sales day' } }),
  e('t3', T(9, 2), 'action', 'Li Wei', 'role', { code: 'role', params: { role: 'commander', name: 'Wang Fang' } }),
  e('t4', T(9, 3), 'status_update', 'Wang Fang', '🚨 P1 incident INC-20260105-7F3A\nTitle: Ozon order pull failing\nStatus: investigating'),
  e('t5', T(9, 5), 'decision', 'Wang Fang', 'freeze', { code: 'freeze_on', params: {} }),
  e('t6', T(9, 20), 'action', 'Zhang San', 'Rolled back release 2026.01.05'),
  e('t7', T(9, 40), 'note', 'Zhang San', 'Pull latency P95 back under 2 min'),
  e('t8', T(10, 10), 'action', 'Wang Fang', 'status', { code: 'status', params: { status: 'resolved' } }),
];

function golden(name: string, actual: string) {
  const file = path.join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

describe('postmortem (handbook 003 template)', () => {
  const alerts = [{ fingerprint: 'fp-orders-pull', alertname: 'OrderPullFailures', severity: 'P1' as const, state: 'resolved' as const, labels: [['service', 'ozon-orders'], ['shop_id', 'all']] as [string, string][] }];
  it('renders in English (golden)', () => golden('postmortem.en.md', renderPostmortem({ incident, timeline, alerts, lng: 'en', timeZone: 'UTC' })));
  it('renders in Chinese (golden)', () => golden('postmortem.zh-CN.md', renderPostmortem({ incident, timeline, alerts, lng: 'zh-CN', timeZone: 'UTC' })));

  it('names linked alerts by name and key labels, the fingerprint only as a detail', () => {
    const md = renderPostmortem({ incident, timeline, alerts, lng: 'en', timeZone: 'UTC' });
    expect(md).toContain('- **Linked alerts**:\n  - OrderPullFailures (service=ozon-orders, shop_id=all) `fp-orders-pu`');
    const gone = renderPostmortem({ incident, timeline, alerts: [{ ...alerts[0], alertname: null, labels: [] }], lng: 'zh-CN', timeZone: 'UTC' });
    expect(gone).toContain('  - `fp-orders-pu` (已不在缓存中)');
  });

  it('uses the configured time zone and marks what is not recorded', () => {
    const open = { ...incident, resolvedAt: null, review: null, impact: null };
    const md = renderPostmortem({ incident: open, timeline: [], lng: 'en', timeZone: 'Asia/Shanghai' });
    expect(md).toContain('- **Declared**: 2026-01-05 17:00');
    expect(md).toContain('Times are in Asia/Shanghai (UTC+08:00).');
    expect(md).toContain('- **Recovered**: (not yet)');
    expect(md).toContain('## Root cause\n(not recorded)');
    expect(md).toContain('| (not recorded) | — | — | — |');
  });
});
