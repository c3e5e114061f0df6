/**
 * Incidents (the war-room): the severity decision tree of handbook 003, roles, the change-freeze flag,
 * the timeline (minutes), status-update messages and the post-incident review. Pure: used by the core
 * and by the renderer alike.
 */
import { z } from 'zod';
import { alertEventText } from './alert-history';
import { SEVERITIES, SeveritySchema, type Language, type Severity } from './domain';
import { defineTexts, interpolate } from './texts';

// ---- triage: the decision tree ---------------------------------------------------------------------

/**
 * Answers to the three questions, asked in order; a question after a "yes" is not asked (null).
 * serviceDown: is the service completely unavailable? coreAffected: is a core function affected?
 * uxDegraded: is the user experience degraded?
 */
export const TriageSchema = z
  .object({
    serviceDown: z.boolean(),
    coreAffected: z.boolean().nullable(),
    uxDegraded: z.boolean().nullable(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!a.serviceDown && a.coreAffected === null)
      ctx.addIssue({ code: 'custom', path: ['coreAffected'], message: 'answer "is a core function affected?"' });
    if (!a.serviceDown && a.coreAffected === false && a.uxDegraded === null)
      ctx.addIssue({ code: 'custom', path: ['uxDegraded'], message: 'answer "is the user experience degraded?"' });
  });
export type Triage = z.infer<typeof TriageSchema>;

export const TRIAGE_QUESTIONS = ['serviceDown', 'coreAffected', 'uxDegraded'] as const;
export type TriageQuestion = (typeof TRIAGE_QUESTIONS)[number];

/** The next question still to answer, or null once the tree has reached a severity. */
export function nextQuestion(a: { serviceDown?: boolean | null; coreAffected?: boolean | null; uxDegraded?: boolean | null }): TriageQuestion | null {
  if (a.serviceDown === undefined || a.serviceDown === null) return 'serviceDown';
  if (a.serviceDown) return null;
  if (a.coreAffected === undefined || a.coreAffected === null) return 'coreAffected';
  if (a.coreAffected) return null;
  if (a.uxDegraded === undefined || a.uxDegraded === null) return 'uxDegraded';
  return null;
}

/** Handbook 003: completely unavailable → P0; else core function affected → P1; else UX degraded → P2; else P3. */
export function decideSeverity(a: Triage): Severity {
  if (a.serviceDown) return 'P0';
  if (a.coreAffected) return 'P1';
  if (a.uxDegraded) return 'P2';
  return 'P3';
}

// ---- roles -------------------------------------------------------------------------------------------

export const ROLES = ['commander', 'techLead', 'comms', 'onCall'] as const;
export type Role = (typeof ROLES)[number];
const PersonName = z.string().trim().min(1).max(80);
export const RolesSchema = z
  .object({
    commander: PersonName.nullable(),
    techLead: PersonName.nullable(),
    comms: PersonName.nullable(),
    onCall: PersonName.nullable(),
  })
  .strict();
export type Roles = z.infer<typeof RolesSchema>;
export const NO_ROLES: Roles = { commander: null, techLead: null, comms: null, onCall: null };

// ---- targets -----------------------------------------------------------------------------------------

export const TargetSchema = z.union([
  z.object({ minutes: z.number().positive().max(60 * 24 * 60) }).strict(),
  z.object({ workingDays: z.number().int().min(1).max(60) }).strict(),
]);
export type Target = z.infer<typeof TargetSchema>;
const PerSeverity = z.object({ P0: TargetSchema, P1: TargetSchema, P2: TargetSchema, P3: TargetSchema }).strict();
export const TargetsSchema = z.object({ respond: PerSeverity, resolve: PerSeverity }).strict();
export type Targets = z.infer<typeof TargetsSchema>;

/**
 * Handbook 003 by default. Handbook 002 answers faster on P1/P2 (30 min, 2 h) but states no resolution
 * times, so its preset keeps 003's.
 */
export const TARGET_PRESETS: Record<'seed003' | 'seed002', Targets> = {
  seed003: {
    respond: { P0: { minutes: 5 }, P1: { minutes: 15 }, P2: { minutes: 60 }, P3: { workingDays: 1 } },
    resolve: { P0: { minutes: 60 }, P1: { minutes: 240 }, P2: { workingDays: 1 }, P3: { workingDays: 5 } },
  },
  seed002: {
    respond: { P0: { minutes: 5 }, P1: { minutes: 30 }, P2: { minutes: 120 }, P3: { workingDays: 1 } },
    resolve: { P0: { minutes: 60 }, P1: { minutes: 240 }, P2: { workingDays: 1 }, P3: { workingDays: 5 } },
  },
};

// ---- the incident --------------------------------------------------------------------------------------

export const INCIDENT_STATUSES = ['investigating', 'mitigated', 'resolved', 'closed'] as const;
export const IncidentStatusSchema = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = z.infer<typeof IncidentStatusSchema>;

export const TIMELINE_KINDS = ['note', 'action', 'decision', 'status_update', 'alert'] as const;
export const TimelineKindSchema = z.enum(TIMELINE_KINDS);
export type TimelineKind = z.infer<typeof TimelineKindSchema>;

export const SYSTEM_EVENTS = [
  'declared',
  'override',
  'responded',
  'status',
  'severity',
  'role',
  'freeze_on',
  'freeze_off',
  'alerts_linked',
  'closed',
  'reopened',
  'alert',
  'escalated',
  'comms',
] as const;
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/** Texts of system entries, role and status names, in both languages (the renderer loads these into i18next). */
export const INCIDENT_TEXT = defineTexts('incidents', {
  en: {
    system: {
      declared: 'Incident declared as {{severity}} by {{author}}',
      override: 'Severity set to {{severity}} instead of the proposed {{proposed}}: {{reason}}',
      responded: 'Response acknowledged by {{author}}',
      status: 'Status changed to {{status}}',
      severity: 'Severity changed from {{from}} to {{to}}',
      role: '{{role}}: {{name}}',
      freeze_on: 'Change freeze switched on',
      freeze_off: 'Change freeze lifted',
      alerts_linked: 'Linked alerts: {{names}}',
      closed: 'Incident closed; postmortem written',
      reopened: 'Incident reopened: {{reason}}',
      alert: 'Alert {{alertname}}: {{kind}}{{by}} {{detail}}',
      escalated: 'Escalated to L{{level}}: not acknowledged for {{minutes}} min',
      comms: 'Status update ({{phase}}) to the incident channels: {{deliveries}}',
    },
    comms: {
      phases: { start: 'start', update: 'update', resolved: 'resolved' },
      queued: 'queued; it goes out when the platform receives it',
      none: {
        paging_off: 'the platform does not send messages (paging is off)',
        no_channels: 'no incident channels are configured in the roster for this incident',
        no_roster: 'the platform has no roster to send from',
        not_in_roster: 'you are not in the platform roster',
      },
      states: { pending: 'sending', retrying: 'retrying ({{attempts}} tries so far)', sent: 'arrived', dead: 'not delivered after {{attempts}} tries' },
      answer: ': {{error}}',
      sep: '; ',
    },
    alertKinds: {
      firing: 'fired',
      resolved: 'resolved',
      resolved_platform: 'resolved by the platform (no one asked to resolve it)',
      acked: 'acked',
      unacked: 'ack removed',
      silenced: 'silenced',
      inhibited: 'inhibited',
      escalated: 'escalated',
    },
    by: ' by {{name}}',
    roles: { commander: 'Incident commander', techLead: 'Tech lead', comms: 'Communications lead', onCall: 'On-call engineer' },
    statuses: { investigating: 'investigating', mitigated: 'mitigated', resolved: 'resolved', closed: 'closed' },
    unassigned: 'unassigned',
  },
  'zh-CN': {
    system: {
      declared: '{{author}} 宣告事故，级别 {{severity}}',
      override: '级别定为 {{severity}}（建议为 {{proposed}}），原因：{{reason}}',
      responded: '{{author}} 已响应',
      status: '状态变更为：{{status}}',
      severity: '级别由 {{from}} 调整为 {{to}}',
      role: '{{role}}：{{name}}',
      freeze_on: '已开启变更冻结',
      freeze_off: '已解除变更冻结',
      alerts_linked: '关联告警：{{names}}',
      closed: '事故已关闭，复盘报告已生成',
      reopened: '事故已重新打开：{{reason}}',
      alert: '告警 {{alertname}}：{{kind}}{{by}} {{detail}}',
      escalated: '已自动升级到 L{{level}}：{{minutes}} 分钟未确认',
      comms: '状态通报（{{phase}}）发往事故通道：{{deliveries}}',
    },
    comms: {
      phases: { start: '事故通报', update: '进展更新', resolved: '恢复通报' },
      queued: '已排队，平台收到后发出',
      none: {
        paging_off: '平台未开启消息发送（呼叫功能关闭）',
        no_channels: '值班表未给此事故配置事故通道',
        no_roster: '平台没有可用的值班表',
        not_in_roster: '你不在平台的值班表中',
      },
      states: { pending: '发送中', retrying: '重试中（已尝试 {{attempts}} 次）', sent: '已送达', dead: '尝试 {{attempts}} 次后未送达' },
      answer: '：{{error}}',
      sep: '；',
    },
    alertKinds: {
      firing: '触发',
      resolved: '已恢复',
      resolved_platform: '已由平台恢复（无人请求恢复）',
      acked: '已确认',
      unacked: '已取消确认',
      silenced: '已静默',
      inhibited: '被抑制',
      escalated: '已升级',
    },
    by: '（{{name}}）',
    roles: { commander: '事件指挥官', techLead: '技术负责人', comms: '通信协调员', onCall: '值班工程师' },
    statuses: { investigating: '调查中', mitigated: '已缓解', resolved: '已解决', closed: '已关闭' },
    unassigned: '未指派',
  },
});

/** Parameters of a system entry with role and status names translated into `lng`. */
export function localizeSystemParams(params: Record<string, string>, lng: Language): Record<string, string> {
  const text = INCIDENT_TEXT[lng];
  const out = { ...params };
  if (params.role && params.role in text.roles) out.role = text.roles[params.role as Role];
  if (params.status && params.status in text.statuses) out.status = text.statuses[params.status as IncidentStatus];
  if (params.name === '') out.name = text.unassigned;
  if (params.kind && params.kind in text.alertKinds) out.kind = text.alertKinds[params.kind as keyof typeof text.alertKinds];
  if (params.by !== undefined) out.by = params.by ? interpolate(text.by, { name: params.by }) : '';
  // a queued action on a linked alert reads as the alert history says it
  if (params.deliveries !== undefined) Object.assign(out, commsParams(params, lng));
  if (params.action) out.kind = alertEventText({ kind: 'action', detail: '', params: { action: params.action, actor: params.actor ?? '', ...(params.comment !== undefined ? { comment: params.comment } : {}) } }, lng).detail;
  return out;
}

/** one channel's delivery of a status update, as the timeline keeps it (params.deliveries is a JSON list of these) */
export interface CommsLine {
  channel: string;
  person: string | null;
  state: 'pending' | 'retrying' | 'sent' | 'dead';
  attempts: number;
  error: string | null;
}

/** the id of the timeline entry that records where a status update (entry `statusEntryId`) went */
export const commsEntryId = (statusEntryId: string): string => `comms:${statusEntryId}`.slice(0, 64);

/** phase and deliveries of a `comms` entry in `lng` */
function commsParams(params: Record<string, string>, lng: Language): Record<string, string> {
  const t = INCIDENT_TEXT[lng].comms;
  const phase = params.phase && params.phase in t.phases ? t.phases[params.phase as StatusPhase] : (params.phase ?? '');
  if (params.queued) return { phase, deliveries: t.queued };
  if (params.none && params.none in t.none) return { phase, deliveries: t.none[params.none as keyof typeof t.none] };
  let lines: CommsLine[] = [];
  try {
    const v: unknown = JSON.parse(params.deliveries);
    if (Array.isArray(v)) lines = v as CommsLine[];
  } catch {
    lines = [];
  }
  const deliveries = lines
    .map((d) => {
      const who = d.person ? ` (${d.person})` : '';
      const state = interpolate(t.states[d.state] ?? d.state, { attempts: String(d.attempts) });
      const answer = d.error && d.state !== 'sent' ? interpolate(t.answer, { error: d.error }) : '';
      return `${d.channel}${who} ${state}${answer}`;
    })
    .join(t.sep);
  return { phase, deliveries };
}

/**
 * The id of the timeline entry an automatic escalation of an incident writes: one per ladder run and
 * level, so a replay is recognised by the platform, and so the entry, which comes back from the platform
 * as text only, is known again (escalationLine) and read in the reader's language.
 */
export const escalationEntryId = (ladderStartedAt: number, level: number): string => `esc-${ladderStartedAt}-L${level}`;

/** The system line of an escalation entry (by its id and time), or null for any other entry. */
export function escalationLine(entryId: string, at: number): { code: 'escalated'; params: Record<string, string> } | null {
  const m = /^esc-(\d+)-L(\d+)$/.exec(entryId);
  if (!m) return null;
  return { code: 'escalated', params: { level: m[2], minutes: String(Math.max(0, Math.round((at - Number(m[1])) / 60_000))) } };
}

/** The text of a timeline entry in `lng`: system entries are rendered from their code, others as written. */
export function entryText(e: Pick<TimelineEntry, 'text' | 'system' | 'author'>, lng: Language): string {
  if (!e.system) return e.text;
  return interpolate(INCIDENT_TEXT[lng].system[e.system.code], localizeSystemParams({ author: e.author, ...e.system.params }, lng)).trim();
}

export const TimelineEntrySchema = z.object({
  id: z.string().min(1).max(64),
  incidentId: z.string().min(1).max(64),
  at: z.number(),
  kind: TimelineKindSchema,
  author: z.string().max(80),
  text: z.string().max(10_000),
  /** true for entries derived from alert activity (not stored, not sent) */
  derived: z.boolean().optional(),
  /** entries Vigil writes itself carry a code and parameters, so they read in either language */
  system: z.object({ code: z.enum(SYSTEM_EVENTS), params: z.record(z.string(), z.string()) }).nullable().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const ActionItemSchema = z
  .object({
    what: z.string().trim().min(1).max(500),
    owner: z.string().trim().max(80),
    due: z.string().trim().max(40),
    priority: SeveritySchema,
  })
  .strict();
export type ActionItem = z.infer<typeof ActionItemSchema>;

/** What the people closing the incident add to the recorded data for the postmortem. */
export const ReviewSchema = z
  .object({
    rootCause: z.string().trim().max(20_000),
    usersAffected: z.string().trim().max(500).default(''),
    businessImpact: z.string().trim().max(2000).default(''),
    dataImpact: z.string().trim().max(2000).default(''),
    wentWell: z.array(z.string().trim().min(1).max(1000)).max(50).default([]),
    toImprove: z.array(z.string().trim().min(1).max(1000)).max(50).default([]),
    actionItems: z.array(ActionItemSchema).max(100).default([]),
    lessons: z.string().trim().max(20_000).default(''),
    /** when the review meeting is held (handbook 003: within 24–48 h) */
    reviewMeeting: z.string().trim().max(200).default(''),
  })
  .strict();
export type Review = z.infer<typeof ReviewSchema>;
export type ReviewInput = z.input<typeof ReviewSchema>;

export const IncidentSchema = z.object({
  id: z.string().min(1).max(64),
  title: z.string().min(1).max(300),
  severity: SeveritySchema,
  /** what the decision tree proposed; differs from severity when the person overrode it */
  proposedSeverity: SeveritySchema.nullable(),
  triage: z.object({ serviceDown: z.boolean(), coreAffected: z.boolean().nullable(), uxDegraded: z.boolean().nullable() }).nullable(),
  status: IncidentStatusSchema,
  changeFreeze: z.boolean(),
  roles: RolesSchema,
  fingerprints: z.array(z.string().min(1).max(128)).max(500),
  impact: z.string().max(2000).nullable(),
  declaredBy: z.string().max(80),
  declaredAt: z.number(),
  respondedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  review: ReviewSchema.nullable(),
  postmortem: z.string().max(200_000).nullable(),
  updatedAt: z.number(),
});
export type Incident = z.infer<typeof IncidentSchema>;

/** What `incident.update` events carry: the incident, optionally with its stored timeline. */
export const IncidentRecordSchema = IncidentSchema.extend({ timeline: z.array(TimelineEntrySchema).max(10_000).optional() });
export type IncidentRecord = z.infer<typeof IncidentRecordSchema>;

export interface TargetClock {
  /** ms since epoch the target falls due */
  dueAt: number;
  /** when it was met (responded / resolved), or null */
  metAt: number | null;
  /** met late, or still open past due */
  breached: boolean;
}

/** A linked alert as the incident page and the postmortem name it: by its name and key labels. */
export interface LinkedAlert {
  fingerprint: string;
  /** null when the alert is no longer cached (resolved and pruned) */
  alertname: string | null;
  severity: Severity | null;
  state: 'firing' | 'resolved' | null;
  /** the labels that tell it apart (service, instance, …), at most four */
  labels: [string, string][];
}

export interface IncidentDetail {
  incident: Incident;
  /** the linked alerts, in the incident's order */
  alerts: LinkedAlert[];
  timeline: TimelineEntry[];
  respond: TargetClock;
  resolve: TargetClock;
  /** checklist runs bound to the incident (war-room, response flow) */
  runIds: string[];
}

// ---- inputs ------------------------------------------------------------------------------------------

export const IncidentIdSchema = z.string().trim().min(1).max(64);
const Fingerprint = z.string().min(1).max(128);

export const DeclareSchema = z
  .object({
    title: z.string().trim().min(1, 'a title is required').max(300),
    triage: TriageSchema,
    severity: SeveritySchema,
    /** required when `severity` differs from what the tree proposes */
    overrideReason: z.string().trim().max(1000).optional(),
    impact: z.string().trim().max(2000).optional(),
    fingerprints: z.array(Fingerprint).max(500).default([]),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.severity !== decideSeverity(d.triage) && !d.overrideReason)
      ctx.addIssue({ code: 'custom', path: ['overrideReason'], message: 'overriding the proposed severity needs a reason' });
  });
export type DeclareInput = z.input<typeof DeclareSchema>;

export const ReopenReasonSchema = z.string().trim().min(1, 'say why the incident is reopened').max(1000);

export const IncidentPatchSchema = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    severity: SeveritySchema.optional(),
    status: z.enum(['investigating', 'mitigated', 'resolved']).optional(),
    changeFreeze: z.boolean().optional(),
    roles: RolesSchema.partial().strict().optional(),
    impact: z.string().trim().max(2000).optional(),
    fingerprints: z.array(Fingerprint).max(500).optional(),
    /** marks the incident as responded to (acknowledged by a person) */
    respond: z.literal(true).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type IncidentPatch = z.infer<typeof IncidentPatchSchema>;

export const TimelineAddSchema = z
  .object({
    kind: z.enum(['note', 'action', 'decision']),
    text: z.string().trim().min(1, 'the entry is empty').max(10_000),
    /** when it happened, if earlier than now (entering minutes after the fact) */
    at: z.number().int().positive().optional(),
  })
  .strict();
export type TimelineAdd = z.infer<typeof TimelineAddSchema>;

export const STATUS_PHASES = ['start', 'update', 'resolved'] as const;
export const StatusPhaseSchema = z.enum(STATUS_PHASES);
export type StatusPhase = z.infer<typeof StatusPhaseSchema>;

// ---- status-update messages (handbook 003 templates: start / update / resolved) -----------------------

export interface StatusFields {
  id: string;
  severity: Severity;
  title: string;
  impact: string;
  status: string;
  owner: string;
  progress: string;
  eta: string;
  rootCause: string;
  solution: string;
  duration: string;
  review: string;
}

/**
 * The status-update messages of handbook 003 (start, progress, resolved) and durations, in both
 * languages. A message is its lines, in the order written here.
 */
export const statusText = defineTexts('status-updates', {
  en: {
    start: {
      head: '🚨 {{severity}} incident {{id}}',
      title: 'Title: {{title}}',
      impact: 'Impact: {{impact}}',
      status: 'Status: {{status}}',
      owner: 'Owner: {{owner}}',
      eta: 'ETA: {{eta}}',
    },
    update: {
      head: '📊 Incident {{id}} ({{severity}}) update',
      title: 'Title: {{title}}',
      status: 'Current status: {{status}}',
      progress: 'Progress: {{progress}}',
      owner: 'Owner: {{owner}}',
      eta: 'Expected recovery: {{eta}}',
    },
    resolved: {
      head: '✅ Incident {{id}} ({{severity}}) resolved',
      title: 'Title: {{title}}',
      rootCause: 'Root cause: {{rootCause}}',
      solution: 'Fix: {{solution}}',
      duration: 'Duration of impact: {{duration}}',
      review: 'Review meeting: {{review}}',
    },
    duration: { days: '{{n}} d', hours: '{{n}} h', minutes: '{{n}} min' },
  },
  'zh-CN': {
    start: {
      head: '🚨 {{severity}} 事故 {{id}}',
      title: '标题：{{title}}',
      impact: '影响：{{impact}}',
      status: '状态：{{status}}',
      owner: '负责人：{{owner}}',
      eta: '预计恢复：{{eta}}',
    },
    update: {
      head: '📊 事故 {{id}}（{{severity}}）进展',
      title: '标题：{{title}}',
      status: '当前状态：{{status}}',
      progress: '进展：{{progress}}',
      owner: '负责人：{{owner}}',
      eta: '预计恢复时间：{{eta}}',
    },
    resolved: {
      head: '✅ 事故 {{id}}（{{severity}}）已解决',
      title: '标题：{{title}}',
      rootCause: '根本原因：{{rootCause}}',
      solution: '解决方案：{{solution}}',
      duration: '影响时长：{{duration}}',
      review: '复盘会议：{{review}}',
    },
    duration: { days: '{{n}} 天', hours: '{{n}} 小时', minutes: '{{n}} 分钟' },
  },
});

export function renderStatusUpdate(phase: StatusPhase, fields: StatusFields, lng: Language): string {
  const lines = statusText.in(lng)[phase] as Record<string, (f: StatusFields) => string>;
  return Object.values(lines)
    .map((line) => line(fields))
    .join('\n');
}

/** "1 h 25 min" / "1 小时 25 分钟" */
export function formatDuration(ms: number, lng: Language): string {
  const t = statusText.in(lng).duration;
  const totalMin = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  const parts: string[] = [];
  if (d) parts.push(t.days({ n: d }));
  if (h) parts.push(t.hours({ n: h }));
  if (m || parts.length === 0) parts.push(t.minutes({ n: m }));
  return parts.join(' ');
}

export const severityOrder = (a: Severity, b: Severity) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
