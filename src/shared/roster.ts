/**
 * Contact rosters: people, teams, rotations, overrides and escalation policies (docs/roster.md is the
 * prose reference). One roster document arrives from the platform (`roster.upsert`) or from a YAML/CSV
 * import; it is validated here, by the core before storing and by the renderer before drawing.
 *
 * Times inside a document are wall-clock times in the rotation's IANA zone ("2026-03-02", "09:00",
 * "2026-03-03T18:00"), because that is how a team writes its rota; rotation.ts turns them into instants.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { SeveritySchema, type Severity } from './domain';
import { ChannelSchema } from './paging';
import { encodeComponent } from './total';

// ---- the stored shapes (kept as they were: the people table and rostersList use them) -------------

export const PersonSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  role: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  im: z.object({
    slack: z.string().nullable().optional(),
    dingtalk: z.string().nullable().optional(),
    teams: z.string().nullable().optional(),
    wecom: z.string().nullable().optional(),
  }),
});
export type Person = z.infer<typeof PersonSchema>;

export const RosterSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** the roster document as synced or imported; the roster module owns its full shape */
  people: z.array(PersonSchema),
  document: z.unknown(),
  updatedAt: z.number(),
  fetchedAt: z.number(),
  /** synced from the platform, or imported from a file on this desk (only those can be removed here) */
  origin: z.enum(['platform', 'local']),
});
export type Roster = z.infer<typeof RosterSchema>;

// ---- the document ------------------------------------------------------------------------------

export const IdSchema = z
  .string()
  .trim()
  .min(1, 'an id is required')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'ids use letters, digits, ".", "_" and "-" only');

/** The same rule the vetted opener applies to tel: links, so every stored number can be dialled. */
export const PhoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9().\- ]{3,32}$/, 'a phone number has digits, spaces, "+", "-", "(", ")" and "." only');

export const TimeZoneSchema = z
  .string()
  .trim()
  .refine((tz) => IANAZone.isValidZone(tz), { error: (iss) => `"${String(iss.input)}" is not an IANA time zone (e.g. Asia/Shanghai)` });

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM (00:00–23:59)');
const realDate = (s: string) => DateTime.fromISO(s, { zone: 'utc' }).isValid;
const DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(realDate, { error: (iss) => `${String(iss.input)} is not a calendar date` });
/** local date-time in the rotation's zone, or with an explicit offset */
const LOCAL_DATETIME = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$/, 'expected a date-time as YYYY-MM-DDTHH:MM')
  .refine(realDate, { error: (iss) => `${String(iss.input)} is not a valid date-time` });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const optText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => (v ? v : null));

export const ImHandlesSchema = z
  .object({
    /** Slack member id (U…/W…); a link needs the document's `workspace.slackTeam` */
    slack: z.string().trim().regex(/^[UW][A-Z0-9]{2,20}$/, 'a Slack member id looks like U012AB3CD').nullish(),
    /** DingTalk user id (dingtalk_id) */
    dingtalk: z.string().trim().regex(/^[A-Za-z0-9_.-]{2,64}$/, 'a DingTalk id has letters, digits, "_", "." and "-"').nullish(),
    /** Microsoft Teams sign-in address (UPN) */
    teams: z.string().trim().email('a Teams handle is the sign-in address (name@example.com)').nullish(),
    /** WeCom (企业微信) userid */
    wecom: z.string().trim().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a WeCom userid has letters, digits, "_", ".", "@" and "-"').nullish(),
  })
  .default({})
  .transform((im) => ({
    slack: im.slack ?? null,
    dingtalk: im.dingtalk ?? null,
    teams: im.teams ?? null,
    wecom: im.wecom ?? null,
  }));
export type ImHandles = z.output<typeof ImHandlesSchema>;

export const PersonDocSchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1, 'a name is required').max(120),
  role: optText(120),
  phone: PhoneSchema.nullish().transform((v) => v ?? null),
  email: z.string().trim().email('not an e-mail address').nullish().transform((v) => v ?? null),
  im: ImHandlesSchema,
  /** the gateway login this person signs in as (their console gets the page); default: none */
  login: z.string().trim().min(1).max(128).nullish().transform((v) => v ?? null),
  /** channels that reach this person alone (an SMS or voice webhook with {{phone}}), used whenever they are paged */
  channels: z.array(IdSchema).max(20).default([]),
});
export type RosterPerson = z.output<typeof PersonDocSchema>;

export const TeamSchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1).max(120),
  description: optText(500),
  members: z.array(IdSchema).max(500).default([]),
  /** channels used whenever a rotation of this team is paged (the team's group) */
  channels: z.array(IdSchema).max(20).default([]),
});
export type Team = z.output<typeof TeamSchema>;

/** When a rotation is staffed at all, e.g. a second line that works office hours only (handbook 002). */
export const CoverageSchema = z.object({
  days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
  from: HHMM,
  /** may be earlier than `from`: the window then runs past midnight */
  to: HHMM,
});
export type Coverage = z.output<typeof CoverageSchema>;

const RotationBase = {
  id: IdSchema,
  team: IdSchema,
  name: z.string().trim().min(1).max(120),
  /** the escalation line this rotation staffs (1 = first line); informational, shown in the view */
  line: z.number().int().min(1).max(10).default(1),
  timeZone: TimeZoneSchema,
  /** the date the first participant's first shift begins, at `handover` */
  start: DATE,
  handover: HHMM,
  participants: z.array(IdSchema).min(1, 'a rotation needs at least one participant').max(200),
  coverage: CoverageSchema.nullish().transform((v) => v ?? null),
};

export const RotationSchema = z.discriminatedUnion('type', [
  z.object({ ...RotationBase, type: z.literal('weekly') }),
  z.object({
    ...RotationBase,
    type: z.literal('custom'),
    /** wall-clock length of one shift: 12 = day/night halves, 24 = daily, 72 = three days … */
    shiftHours: z.number().int().min(1).max(24 * 28),
  }),
]);
export type Rotation = z.output<typeof RotationSchema>;

export const OverrideSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('cover'),
    rotation: IdSchema,
    /** who is on call instead, for the whole window */
    person: IdSchema,
    start: LOCAL_DATETIME,
    end: LOCAL_DATETIME,
    note: optText(500),
  }),
  z.object({
    type: z.literal('swap'),
    rotation: IdSchema,
    /** scheduled for the shift beginning on `shift`; takes the shift beginning on `withShift` instead */
    person: IdSchema,
    with: IdSchema,
    shift: DATE,
    withShift: DATE,
    note: optText(500),
  }),
]);
export type Override = z.output<typeof OverrideSchema>;

export const TargetSchema = z.union([
  z.object({ rotation: IdSchema }).strict(),
  z.object({ person: IdSchema }).strict(),
]);
export type Target = z.output<typeof TargetSchema>;

export const EscalationLevelSchema = z.object({
  name: optText(120),
  /** minutes without an ack at the previous level before this level is reached (0 for the first) */
  afterMinutes: z.number().min(0).max(7 * 24 * 60),
  targets: z.array(TargetSchema).min(1, 'a level needs at least one target').max(20),
  /** the channels this level pages on (the document's `channels` ids) */
  channels: z.array(IdSchema).max(20).default([]),
  /** at night (the policy's `night` window) these instead of `channels`: "IM by day, phone at night" */
  nightChannels: z.array(IdSchema).max(20).nullish().transform((v) => v ?? null),
});
export type EscalationLevel = z.output<typeof EscalationLevelSchema>;

export const PolicySchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1).max(200),
  match: z
    .object({
      /** the least severe alert this policy applies to (P1 = P0 and P1) */
      severity: SeveritySchema.default('P3'),
      /** `team` label values; empty = any team */
      teams: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
      /** `service` label values; empty = any service */
      services: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
    })
    .default({ severity: 'P3', teams: [], services: [] }),
  /** the night window for the levels' nightChannels, in a zone (e.g. 22:00–08:00 Asia/Shanghai) */
  night: z
    .object({ from: HHMM, to: HHMM, timeZone: TimeZoneSchema })
    .nullish()
    .transform((v) => v ?? null),
  /** minutes between reminders to the current level; 0 = no reminders */
  remindMinutes: z.number().min(0).max(24 * 60).default(5),
  levels: z.array(EscalationLevelSchema).min(1).max(10),
});
export type Policy = z.output<typeof PolicySchema>;

/**
 * Where an incident's status updates go (handbook 003: the incident channel, the status group). Every rule
 * the incident matches adds its channels: `severity` is the least severe incident it applies to (P1 = P0
 * and P1), `teams` the `team` labels of the incident's alerts (empty = any).
 */
export const IncidentChannelsSchema = z.object({
  match: z
    .object({
      severity: SeveritySchema.default('P3'),
      teams: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
    })
    .default({ severity: 'P3', teams: [] }),
  channels: z.array(IdSchema).min(1, 'name at least one channel').max(20),
});
export type IncidentChannels = z.output<typeof IncidentChannelsSchema>;

/** Refers to a known id or adds an issue at `path`. */
function checkRef(ctx: z.RefinementCtx, known: Set<string>, id: string, what: string, path: (string | number)[]) {
  if (!known.has(id)) ctx.addIssue({ code: 'custom', message: `unknown ${what} "${id}"`, path });
}

function checkUnique(ctx: z.RefinementCtx, items: { id: string }[], what: string, key: string) {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.id)) ctx.addIssue({ code: 'custom', message: `duplicate ${what} id "${it.id}"`, path: [key, i, 'id'] });
    seen.add(it.id);
  });
}

/** Every channel id a person, team or level names is declared in `channels`. */
function checkChannelRefs(
  ctx: z.RefinementCtx,
  doc: {
    channels: { id: string }[];
    people: { channels: string[] }[];
    teams: { channels: string[] }[];
    policies: { night: unknown; levels: { channels: string[]; nightChannels: string[] | null }[] }[];
    incidentChannels: { channels: string[] }[];
  },
) {
  const known = new Set(doc.channels.map((c) => c.id));
  doc.incidentChannels.forEach((r, i) => r.channels.forEach((c, j) => checkRef(ctx, known, c, 'channel', ['incidentChannels', i, 'channels', j])));
  doc.people.forEach((p, i) => p.channels.forEach((c, j) => checkRef(ctx, known, c, 'channel', ['people', i, 'channels', j])));
  doc.teams.forEach((t, i) => t.channels.forEach((c, j) => checkRef(ctx, known, c, 'channel', ['teams', i, 'channels', j])));
  doc.policies.forEach((p, i) =>
    p.levels.forEach((l, j) => {
      l.channels.forEach((c, k) => checkRef(ctx, known, c, 'channel', ['policies', i, 'levels', j, 'channels', k]));
      l.nightChannels?.forEach((c, k) => checkRef(ctx, known, c, 'channel', ['policies', i, 'levels', j, 'nightChannels', k]));
      if (l.nightChannels && !p.night)
        ctx.addIssue({ code: 'custom', message: 'nightChannels need the policy\'s night window (night: {from, to, timeZone})', path: ['policies', i, 'levels', j, 'nightChannels'] });
    }),
  );
}

export const RosterDocumentSchema = z
  .object({
    version: z.literal(1).default(1),
    workspace: z
      .object({ slackTeam: z.string().trim().regex(/^T[A-Z0-9]{2,20}$/, 'a Slack team id looks like T0123ABCD').nullish() })
      .default({})
      .transform((w) => ({ slackTeam: w.slackTeam ?? null })),
    people: z.array(PersonDocSchema).max(5000).default([]),
    teams: z.array(TeamSchema).max(500).default([]),
    rotations: z.array(RotationSchema).max(500).default([]),
    overrides: z.array(OverrideSchema).max(5000).default([]),
    policies: z.array(PolicySchema).max(200).default([]),
    /** outbound channels (the gateway pages on them; consoles receive them without URL or secrets) */
    channels: z.array(ChannelSchema).max(200).default([]),
    /** where incident status updates go, by severity and team */
    incidentChannels: z.array(IncidentChannelsSchema).max(100).default([]),
  })
  .superRefine((doc, ctx) => {
    checkUnique(ctx, doc.people, 'person', 'people');
    checkUnique(ctx, doc.teams, 'team', 'teams');
    checkUnique(ctx, doc.rotations, 'rotation', 'rotations');
    checkUnique(ctx, doc.policies, 'policy', 'policies');
    checkUnique(ctx, doc.channels, 'channel', 'channels');
    checkChannelRefs(ctx, doc);
    const people = new Set(doc.people.map((p) => p.id));
    const teams = new Set(doc.teams.map((t) => t.id));
    const rotations = new Set(doc.rotations.map((r) => r.id));
    doc.teams.forEach((t, i) => t.members.forEach((m, j) => checkRef(ctx, people, m, 'person', ['teams', i, 'members', j])));
    doc.rotations.forEach((r, i) => {
      checkRef(ctx, teams, r.team, 'team', ['rotations', i, 'team']);
      r.participants.forEach((p, j) => checkRef(ctx, people, p, 'person', ['rotations', i, 'participants', j]));
    });
    doc.overrides.forEach((o, i) => {
      checkRef(ctx, rotations, o.rotation, 'rotation', ['overrides', i, 'rotation']);
      checkRef(ctx, people, o.person, 'person', ['overrides', i, 'person']);
      if (o.type === 'swap') checkRef(ctx, people, o.with, 'person', ['overrides', i, 'with']);
    });
    doc.policies.forEach((p, i) => {
      p.levels.forEach((l, j) => {
        l.targets.forEach((t, k) => {
          if ('rotation' in t) checkRef(ctx, rotations, t.rotation, 'rotation', ['policies', i, 'levels', j, 'targets', k, 'rotation']);
          else checkRef(ctx, people, t.person, 'person', ['policies', i, 'levels', j, 'targets', k, 'person']);
        });
      });
    });
  });
export type RosterDocument = z.output<typeof RosterDocumentSchema>;
export type RosterDocumentInput = z.input<typeof RosterDocumentSchema>;

export const emptyRosterDocument = (): RosterDocument => RosterDocumentSchema.parse({});

// ---- contact links -----------------------------------------------------------------------------

export const CONTACT_CHANNELS = ['phone', 'email', 'slack', 'dingtalk', 'teams', 'wecom'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export interface ContactLink {
  channel: ContactChannel;
  /** what the person is known by on that channel (the number, the address, the handle) */
  handle: string;
  /** the URL to open, or null where a handle alone cannot be turned into a link */
  url: string | null;
  /** true when the URL uses an IM client scheme (slack:, dingtalk:, wxwork:) the opener must allow */
  im: boolean;
}

/**
 * The one place contact handles become URLs, used by the roster view, the status bar and the
 * escalation notifications. Teams has an https deep link; Slack, DingTalk and WeCom only have their own
 * schemes (IM_SCHEMES in links.ts).
 */
export function contactLinks(p: Pick<Person, 'phone' | 'email' | 'im'>, workspace?: { slackTeam: string | null }): ContactLink[] {
  const out: ContactLink[] = [];
  const enc = encodeComponent; // total: a lone surrogate in a handle is encoded, never thrown
  if (p.phone) out.push({ channel: 'phone', handle: p.phone, url: `tel:${p.phone.replace(/[^0-9+]/g, '')}`, im: false });
  if (p.email) out.push({ channel: 'email', handle: p.email, url: `mailto:${p.email}`, im: false });
  const im = p.im ?? {};
  if (im.slack)
    out.push({
      channel: 'slack',
      handle: im.slack,
      url: workspace?.slackTeam ? `slack://user?team=${enc(workspace.slackTeam)}&id=${enc(im.slack)}` : null,
      im: true,
    });
  if (im.dingtalk)
    out.push({ channel: 'dingtalk', handle: im.dingtalk, url: `dingtalk://dingtalkclient/action/sendmsg?dingtalk_id=${enc(im.dingtalk)}`, im: true });
  if (im.teams)
    out.push({ channel: 'teams', handle: im.teams, url: `https://teams.microsoft.com/l/chat/0/0?users=${enc(im.teams)}`, im: false });
  if (im.wecom) out.push({ channel: 'wecom', handle: im.wecom, url: `wxwork://message?username=${enc(im.wecom)}`, im: true });
  return out;
}

// ---- what the core reports -------------------------------------------------------------------------

/** One contiguous stretch of a rotation with one person (or nobody) on call. */
export interface OnCallSegment {
  rotationId: string;
  personId: string | null;
  start: number;
  end: number;
  /** set when an override (cover or swap) put this person here instead of the schedule */
  override: { type: Override['type']; note: string | null; scheduled: string | null } | null;
}

export interface RotationOnCall {
  rosterId: string;
  teamId: string;
  teamName: string;
  rotationId: string;
  rotationName: string;
  line: number;
  timeZone: string;
  now: (OnCallSegment & { person: RosterPerson | null }) | null;
  next: (OnCallSegment & { person: RosterPerson | null }) | null;
}

export const IMPORT_FORMATS = ['yaml', 'csv'] as const;
export const RosterImportRequestSchema = z.object({
  format: z.enum(IMPORT_FORMATS),
  /** the file's text (the renderer reads the file; the core never opens paths it is handed) */
  text: z.string().max(2 * 1024 * 1024, 'the file is larger than 2 MB'),
  /** the roster to write; YAML may name it with `id:` at the top, CSV merges people into it */
  rosterId: IdSchema.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** validate and report, store nothing */
  dryRun: z.boolean().optional(),
});
export type RosterImportRequest = z.infer<typeof RosterImportRequestSchema>;

export interface ImportIssue {
  /** 1-based line in the file, where known */
  line: number | null;
  /** CSV: 1-based data row (the header is row 0) */
  row: number | null;
  /** where in the document, e.g. rotations[1].participants[0] */
  path: string;
  message: string;
}

export interface RosterImportResult {
  ok: boolean;
  rosterId: string | null;
  stored: boolean;
  issues: ImportIssue[];
  counts: { people: number; teams: number; rotations: number; overrides: number; policies: number };
}

export type EscalationSubjectKind = 'alert' | 'incident';

export interface EscalationState {
  subjectKind: EscalationSubjectKind;
  subjectId: string;
  title: string;
  severity: Severity;
  rosterId: string;
  policyId: string;
  policyName: string;
  startedAt: number;
  /** the level reached (1-based); 0 while waiting for a first level with afterMinutes > 0 */
  level: number;
  levels: number;
  levelAt: number;
  /** who the current level reaches now */
  current: { id: string; name: string }[];
  /** when the next level is due, and who it will reach; null at the top of the ladder */
  next: { level: number; at: number; people: { id: string; name: string }[] } | null;
  stoppedAt: number | null;
  stopReason: string | null;
  /** the gateway runs this ladder (level, people and next level are the gateway's; the console's stays quiet) */
  gateway?: boolean;
  /**
   * the subject's labels that tell it apart (keyLabels, at most 3, names and values cut as alert-view cuts
   * them): ladders of alerts that share a name, one per shop or instance, differ here
   */
  keyLabels?: [string, string][];
}
