/**
 * Checklists: versioned templates with ordered steps, and runs that record what happened to each step.
 * Templates come from resources/templates/*.yaml (bundled) or from the platform (`checklist.template`).
 * Every text a person reads is given in both languages, so a run started in one language reads in the other.
 */
import { z } from 'zod';
import { SeveritySchema, type Language } from './domain';

export const LocalizedTextSchema = z.object({
  en: z.string().trim().min(1).max(2000),
  'zh-CN': z.string().trim().min(1).max(2000),
});
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

/** Picks the text for `lng`, falling back to English. */
export const localize = (text: LocalizedText | null | undefined, lng: Language | string): string =>
  text ? (lng === 'zh-CN' ? text['zh-CN'] : text.en) : '';

export const COMPARATORS = ['<', '<=', '>', '>='] as const;
export type Comparator = (typeof COMPARATORS)[number];

export function compare(value: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

const MetricName = z.string().trim().min(1).max(200).regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, 'expected a Prometheus metric name');
const MaxAge = z.number().positive().max(7 * 24 * 60);

/**
 * A condition evaluated on cached data. Its outcome is pass, fail or unknown; data older than
 * `maxAgeMinutes` (or missing) gives unknown, never pass.
 */
export const AutoCheckSchema = z.discriminatedUnion('type', [
  z
    .object({
      /** the last value of a dashboard series compared with a limit ("backlog < 80% of 5000") */
      type: z.literal('metric'),
      /** the metric a panel target queries (matched inside the target's PromQL expression) */
      metric: MetricName,
      /** only series carrying these labels count */
      labels: z.record(z.string(), z.string()).optional(),
      op: z.enum(COMPARATORS),
      /** a fixed limit, or another metric's last value (e.g. the database's max connections) */
      limit: z.union([z.number(), z.object({ metric: MetricName })]),
      /** fraction of the limit the value is compared with (0.8 = "below 80% of the threshold") */
      ratio: z.number().positive().max(10).default(1),
      maxAgeMinutes: MaxAge.default(15),
    })
    .strict(),
  z
    .object({
      /** no firing (unsilenced) alert at these severities */
      type: z.literal('no_firing'),
      severities: z.array(SeveritySchema).min(1),
      maxAgeMinutes: MaxAge.default(15),
    })
    .strict(),
  z
    .object({
      /** each collection written (or kept live by an online link) within the last `maxAgeMinutes` */
      type: z.literal('fresh'),
      collections: z.array(z.enum(['alerts', 'runbooks', 'dashboards', 'rosters'])).min(1),
      maxAgeMinutes: MaxAge.default(60),
    })
    .strict(),
  z.object({ type: z.literal('link_online') }).strict(),
  z.object({ type: z.literal('token_valid') }).strict(),
  /** sends a test notification through the OS notifier and records that it was shown */
  z.object({ type: z.literal('notification_test') }).strict(),
  /**
   * the test call: the gateway sends a marked TEST message through every channel configured for the person
   * signed in here (and reports their console), and the step records which arrived
   */
  z.object({ type: z.literal('paging_test') }).strict(),
]);
export type AutoCheck = z.infer<typeof AutoCheckSchema>;
export type AutoCheckInput = z.input<typeof AutoCheckSchema>;

export const TEMPLATE_KINDS = ['self_check', 'war_room', 'response', 'handover', 'routine'] as const;
export const TemplateKindSchema = z.enum(TEMPLATE_KINDS);
export type TemplateKind = z.infer<typeof TemplateKindSchema>;

const Id = z.string().trim().min(1).max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only');

export const TemplateStepSchema = z
  .object({
    id: Id,
    title: LocalizedTextSchema,
    detail: LocalizedTextSchema.optional(),
    /** a heading the step is grouped under (war-room phases, response-flow stages) */
    section: LocalizedTextSchema.optional(),
    /** the role that carries it out (incident roles or free text) */
    role: z.string().max(80).optional(),
    /** minutes after the run starts by which the step must be done; missing it raises a notification */
    dueMinutes: z.number().positive().max(60 * 24 * 31).optional(),
    autoCheck: AutoCheckSchema.optional(),
    /** what the person is asked to paste as evidence */
    evidence: z.enum(['value', 'link']).optional(),
  })
  .strict();
export type TemplateStep = z.infer<typeof TemplateStepSchema>;

export const ROUTINE_PERIODS = ['day', 'week', 'month'] as const;
export type RoutinePeriod = (typeof ROUTINE_PERIODS)[number];

export const ChecklistTemplateSchema = z
  .object({
    id: Id,
    version: z.number().int().positive(),
    kind: TemplateKindSchema,
    title: LocalizedTextSchema,
    description: LocalizedTextSchema.optional(),
    /** the handbook sections the template is built from, e.g. "000 §2" */
    sources: z.array(z.string().max(200)).default([]),
    /** routines only: how often it is due */
    period: z.enum(ROUTINE_PERIODS).optional(),
    steps: z.array(TemplateStepSchema).min(1).max(200),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    for (const [i, s] of t.steps.entries()) {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      seen.add(s.id);
    }
    if (t.kind === 'routine' && !t.period) ctx.addIssue({ code: 'custom', path: ['period'], message: 'a routine needs a period' });
  });
export type ChecklistTemplate = z.infer<typeof ChecklistTemplateSchema>;

export type RoutineDue = { period: RoutinePeriod; due: boolean; lastFinishedAt: number | null; periodStart: number };

export interface TemplateSummary {
  id: string;
  version: number;
  kind: TemplateKind;
  title: LocalizedText;
  description: LocalizedText | null;
  sources: string[];
  origin: 'resource' | 'platform';
  stepCount: number;
  routine: RoutineDue | null;
}

// ---- runs --------------------------------------------------------------------------------------------

export const STEP_STATES = ['todo', 'done', 'skipped', 'failed'] as const;
export const StepStateSchema = z.enum(STEP_STATES);
export type StepState = z.infer<typeof StepStateSchema>;

export const AUTO_REASONS = [
  'metric_ok',
  'metric_breach',
  'no_panel',
  'no_series',
  'no_limit',
  'stale',
  'never_synced',
  'no_firing',
  'firing',
  'fresh',
  'not_fresh',
  'link_online',
  'link_down',
  'link_unknown',
  'token_ok',
  'token_embedded',
  'token_rejected',
  'token_missing',
  'token_unverified',
  'notification_shown',
  'notification_failed',
  'paging_arrived',
  'paging_failed',
  'paging_offline',
  'paging_none',
] as const;
export type AutoReason = (typeof AUTO_REASONS)[number];

export const AutoResultSchema = z.object({
  outcome: z.enum(['pass', 'fail', 'unknown']),
  reason: z.enum(AUTO_REASONS),
  /** what the check saw, ready to show ("3120", "2 firing: OrderPullFailures, DbSlow") */
  value: z.string().max(2000).nullable(),
  /** what it was compared with, where there is one */
  limit: z.string().max(200).nullable(),
  /** how old the data was: ms since epoch of the data it read (null = none) */
  dataAt: z.number().nullable(),
  checkedAt: z.number(),
});
export type AutoResult = z.infer<typeof AutoResultSchema>;

export const EvidenceSchema = z
  .object({
    value: z.string().max(4000).optional(),
    link: z.string().max(2000).optional(),
  })
  .strict();
export type Evidence = z.infer<typeof EvidenceSchema>;

/** who a step's automatic check (not a person) is recorded as in `updatedBy` */
export const AUTO_CHECK_ACTOR = 'auto-check';

export const RunStepSchema = z.object({
  stepId: z.string(),
  position: z.number().int(),
  state: StepStateSchema,
  owner: z.string().nullable(),
  note: z.string().nullable(),
  evidence: EvidenceSchema.nullable(),
  auto: AutoResultSchema.nullable(),
  dueAt: z.number().nullable(),
  /** when a missed due time was notified (so a restart does not notify twice) */
  dueNotifiedAt: z.number().nullable(),
  updatedBy: z.string().nullable(),
  updatedAt: z.number().nullable(),
});
export type RunStep = z.infer<typeof RunStepSchema>;

export const RUN_STATES = ['open', 'finished'] as const;
/** green: every step done or skipped; red: a step failed; pending: steps still to do */
export const RUN_RESULTS = ['green', 'red', 'pending'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

export const ChecklistRunSchema = z.object({
  id: z.string().min(1).max(64),
  templateId: z.string(),
  templateVersion: z.number().int(),
  kind: TemplateKindSchema,
  title: LocalizedTextSchema,
  startedBy: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  incidentId: z.string().nullable(),
  state: z.enum(RUN_STATES),
  result: z.enum(RUN_RESULTS),
  updatedAt: z.number(),
  steps: z.array(RunStepSchema),
});
export type ChecklistRun = z.infer<typeof ChecklistRunSchema>;

/** A run with the template version it was started from (the UI needs the step texts). */
export interface RunView {
  run: ChecklistRun;
  template: ChecklistTemplate;
}

export type RunSummary = Omit<ChecklistRun, 'steps'> & { counts: Record<StepState, number> };

/** The overall result of a set of step states. */
export function runResult(states: readonly StepState[]): RunResult {
  if (states.includes('failed')) return 'red';
  if (states.includes('todo')) return 'pending';
  return 'green';
}

/** Failing items first, then the ones still to do, then the rest; template order inside each group. */
export function failingFirst<T extends { state: StepState; position: number }>(steps: readonly T[]): T[] {
  const rank: Record<StepState, number> = { failed: 0, todo: 1, skipped: 2, done: 3 };
  return [...steps].sort((a, b) => rank[a.state] - rank[b.state] || a.position - b.position);
}

// ---- inputs ------------------------------------------------------------------------------------------

export const RunIdSchema = z.string().trim().min(1).max(64);

export const StepUpdateSchema = z
  .object({
    runId: RunIdSchema,
    stepId: z.string().trim().min(1).max(100),
    state: StepStateSchema,
    note: z.string().trim().max(4000).optional(),
    evidence: EvidenceSchema.optional(),
    owner: z.string().trim().max(80).optional(),
  })
  .strict()
  .refine((u) => u.state !== 'skipped' || (u.note ?? '').length > 0, {
    message: 'skipping a step needs a reason in the note',
    path: ['note'],
  });
export type StepUpdate = z.infer<typeof StepUpdateSchema>;

export const RunStartSchema = z
  .object({
    templateId: z.string().trim().min(1).max(100),
    incidentId: z.string().trim().min(1).max(64).optional(),
  })
  .strict();
export type RunStart = z.infer<typeof RunStartSchema>;

export const RunListQuerySchema = z
  .object({
    state: z.enum(RUN_STATES).optional(),
    templateId: z.string().max(100).optional(),
    incidentId: z.string().max(64).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export type RunListQuery = z.input<typeof RunListQuerySchema>;
