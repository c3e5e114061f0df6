/**
 * The postmortem in the handbook 003 template (basic information, timeline, root cause, impact, what went
 * well / to improve, action items, lessons), rendered from the recorded incident in either language.
 * Pure, so the golden files in test/fixtures/process/ pin its output.
 */
import { DateTime } from 'luxon';
import type { Language } from '@shared/domain';
import {
  INCIDENT_TEXT,
  ROLES,
  entryText,
  formatDuration,
  type Incident,
  type LinkedAlert,
  type Review,
  type TimelineEntry,
  type TimelineKind,
} from '@shared/incidents';
import { defineTexts } from '@shared/texts';

export const postmortemText = defineTexts('postmortem', {
  en: {
    heading: 'Incident review',
    basics: 'Basic information',
    severity: 'Severity',
    proposed: ' (proposed by the decision tree: {{severity}})',
    colon: ': ',
    sep: '; ',
    occurred: 'Started',
    declared: 'Declared',
    recovered: 'Recovered',
    duration: 'Duration of impact',
    scope: 'Scope of impact',
    roles: 'Roles',
    alerts: 'Linked alerts',
    timeZone: 'Times are in {{zone}} ({{offset}}).',
    notCached: 'no longer cached',
    timeline: 'Timeline',
    rootCause: 'Root cause',
    impact: 'Impact analysis',
    users: 'Users affected',
    business: 'Business impact',
    data: 'Data impact',
    wentWell: 'What went well',
    toImprove: 'What to improve',
    actions: 'Action items',
    actionCols: { what: 'Action item', owner: 'Owner', due: 'Due', priority: 'Priority' },
    lessons: 'Lessons learned',
    meeting: 'Review meeting',
    none: '(not recorded)',
    open: '(not yet)',
    kinds: { note: 'Note', action: 'Action', decision: 'Decision', status_update: 'Status update', alert: 'Alert' },
  },
  'zh-CN': {
    heading: '事件复盘报告',
    basics: '基本信息',
    severity: '事件级别',
    proposed: '（决策树建议：{{severity}}）',
    colon: '：',
    sep: '；',
    occurred: '发生时间',
    declared: '宣告时间',
    recovered: '恢复时间',
    duration: '影响时长',
    scope: '影响范围',
    roles: '角色',
    alerts: '关联告警',
    timeZone: '时间均为 {{zone}}（{{offset}}）。',
    notCached: '已不在缓存中',
    timeline: '事件时间线',
    rootCause: '根本原因',
    impact: '影响分析',
    users: '受影响用户数',
    business: '业务损失',
    data: '数据影响',
    wentWell: '做得好的地方',
    toImprove: '需要改进的地方',
    actions: '行动项',
    actionCols: { what: '行动项', owner: '负责人', due: '截止日期', priority: '优先级' },
    lessons: '经验教训',
    meeting: '复盘会议',
    none: '（未记录）',
    open: '（尚未）',
    kinds: { note: '记录', action: '操作', decision: '决策', status_update: '状态更新', alert: '告警' },
  },
});

const EMPTY_REVIEW: Review = {
  rootCause: '',
  usersAffected: '',
  businessImpact: '',
  dataImpact: '',
  wentWell: [],
  toImprove: [],
  actionItems: [],
  lessons: '',
  reviewMeeting: '',
};

/** A table cell: no pipes or line breaks may leak out of it. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
/** A list item may span lines; continuation lines are indented so they stay inside the item. */
const item = (s: string) => s.trim().replace(/\n/g, '\n  ');

export interface PostmortemInput {
  incident: Incident;
  timeline: TimelineEntry[];
  lng: Language;
  /** IANA zone for the times ('UTC' in the golden files) */
  timeZone: string;
  /** the linked alerts by name (the fingerprint alone is what the incident stores) */
  alerts?: LinkedAlert[];
}

/** "OrderPullFailures (service=ozon-orders, instance=sync-1:9100)", the fingerprint only as a trailing detail */
function alertLine(a: LinkedAlert, notCached: string): string {
  const fp = `\`${a.fingerprint.slice(0, 12)}\``;
  if (!a.alertname) return `${fp} (${notCached})`;
  const labels = a.labels.map(([k, v]) => `${k}=${v}`).join(', ');
  return `${a.alertname}${labels ? ` (${labels})` : ''} ${fp}`;
}

export function renderPostmortem({ incident: inc, timeline, lng, timeZone, alerts }: PostmortemInput): string {
  const t = postmortemText.in(lng);
  const zone = timeZone === 'local' ? 'local' : timeZone;
  const time = (ms: number | null) => {
    if (ms === null) return t.open();
    const dt = DateTime.fromMillis(ms, { zone });
    return (dt.isValid ? dt : DateTime.fromMillis(ms, { zone: 'UTC' })).toFormat('yyyy-MM-dd HH:mm');
  };
  const probe = DateTime.fromMillis(inc.declaredAt, { zone });
  const zoneName = (probe.isValid ? probe.zoneName : null) ?? 'UTC';
  // the zone's offset that day, as "UTC+08:00"
  const offset = `UTC${probe.isValid ? probe.toFormat('ZZ') : '+00:00'}`;
  const review = inc.review ?? EMPTY_REVIEW;
  const orNone = (s: string | null | undefined) => (s && s.trim() ? s.trim() : t.none());
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `- ${item(x)}`) : [`- ${t.none()}`]);

  const entries = [...timeline].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  // The incident began when its first linked alert fired, if that was before it was declared.
  const firstFiring = entries.find((e) => e.kind === 'alert' && e.system?.params.kind === 'firing')?.at ?? null;
  const occurred = firstFiring !== null ? Math.min(firstFiring, inc.declaredAt) : inc.declaredAt;
  const names = INCIDENT_TEXT[lng];

  const cols = [t.actionCols.what(), t.actionCols.owner(), t.actionCols.due(), t.actionCols.priority()];
  const field = (label: string, value: string) => `- **${label}**${t.colon()}${value}`;
  const lines: string[] = [
    `# ${t.heading()} ${inc.id}${t.colon()}${inc.title}`,
    '',
    `## ${t.basics()}`,
    field(t.severity(), `${inc.severity}${inc.proposedSeverity && inc.proposedSeverity !== inc.severity ? t.proposed({ severity: inc.proposedSeverity }) : ''}`),
    field(t.occurred(), time(occurred)),
    field(t.declared(), time(inc.declaredAt)),
    field(t.recovered(), time(inc.resolvedAt)),
    field(t.duration(), inc.resolvedAt !== null ? formatDuration(inc.resolvedAt - occurred, lng) : t.open()),
    field(t.scope(), orNone(inc.impact)),
    field(t.roles(), ROLES.map((r) => `${names.roles[r]} ${inc.roles[r] ?? names.unassigned}`).join(t.sep())),
    field(t.alerts(), inc.fingerprints.length ? '' : t.none()).trimEnd(),
    ...(alerts ?? inc.fingerprints.map((fingerprint) => ({ fingerprint, alertname: null, severity: null, state: null, labels: [] }))).map(
      (a) => `  - ${cell(alertLine(a, t.notCached()))}`,
    ),
    '',
    t.timeZone({ zone: zoneName, offset }),
    '',
    `## ${t.timeline()}`,
    ...(entries.length
      ? entries.map((e) => `- ${time(e.at)} [${t.kinds[e.kind as TimelineKind]()}] ${e.system || !e.author ? '' : `**${e.author}**${t.colon()}`}${item(entryText(e, lng))}`)
      : [`- ${t.none()}`]),
    '',
    `## ${t.rootCause()}`,
    orNone(review.rootCause),
    '',
    `## ${t.impact()}`,
    `- ${t.users()}${t.colon()}${orNone(review.usersAffected)}`,
    `- ${t.business()}${t.colon()}${orNone(review.businessImpact)}`,
    `- ${t.data()}${t.colon()}${orNone(review.dataImpact)}`,
    '',
    `## ${t.wentWell()}`,
    ...list(review.wentWell),
    '',
    `## ${t.toImprove()}`,
    ...list(review.toImprove),
    '',
    `## ${t.actions()}`,
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...(review.actionItems.length
      ? review.actionItems.map((a) => `| ${cell(a.what)} | ${cell(a.owner) || '—'} | ${cell(a.due) || '—'} | ${a.priority} |`)
      : [`| ${t.none()} | — | — | — |`]),
    '',
    `## ${t.lessons()}`,
    orNone(review.lessons),
    '',
    field(t.meeting(), orNone(review.reviewMeeting)),
    '',
  ];
  return lines.join('\n');
}
