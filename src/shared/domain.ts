/** Domain types shared by every process. Schemas are the single source; types are inferred from them. */
import { z } from 'zod';
import { IdentitySchema } from './identity';

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** Lower rank = more severe. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) <= severityRank(threshold);
}

/** A platform's own words for its severities, lower-cased: { critical: 'P0', warning: 'P2' } (docs/sources.md). */
export type SeverityMap = Readonly<Record<string, Severity>>;

/**
 * Parses a severity mapping as the gateway takes it: "critical=P0, warning=P2, sev-a=P1". Throws an Error
 * naming the first bad pair.
 */
export function parseSeverityMap(text: string): SeverityMap {
  const out: Record<string, Severity> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(P[0-3])$/i.exec(pair);
    if (!m) throw new Error(`severity mapping "${pair}" must look like critical=P0 (a label value, =, one of P0–P3)`);
    out[m[1].toLowerCase()] = m[2].toUpperCase() as Severity;
  }
  return out;
}

/**
 * Maps a `severity` label as sources spell it onto P0–P3. A platform's configured mapping (`map`) wins;
 * then direct P-levels; then the common Alertmanager words: page/emergency → P0, critical/high → P1,
 * warning/major/medium → P2, anything else (info, low, none) → P3. Level numbers from handbook 001
 * (level1 most severe) map 1→P1, 2→P2, 3→P3.
 */
export function normalizeSeverity(raw: string | undefined | null, map?: SeverityMap): Severity {
  const v = (raw ?? '').trim().toLowerCase();
  const mapped = map?.[v];
  if (mapped) return mapped;
  const direct = /^(?:p|sev|s)([0-3])$/.exec(v);
  if (direct) return `P${direct[1]}` as Severity;
  const level = /^(?:level|l)\s*([1-3])$/.exec(v);
  if (level) return `P${level[1]}` as Severity;
  if (['page', 'emergency', 'fatal', 'disaster'].includes(v)) return 'P0';
  if (['critical', 'crit', 'high', 'error'].includes(v)) return 'P1';
  if (['warning', 'warn', 'major', 'medium', 'average'].includes(v)) return 'P2';
  return 'P3';
}

export const LANGUAGES = ['en', 'zh-CN'] as const;
export const LanguageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof LanguageSchema>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM (00:00–23:59)');

/** The gateway URLs in a platform URL setting: one, or several separated by commas (blanks around them ignored). */
export const platformUrls = (text: string): string[] =>
  text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');

/** What is wrong with a platform URL setting (one URL or a comma-separated list), or null. */
export function platformUrlProblem(text: string): string | null {
  const urls = platformUrls(text);
  if (!urls.length) return 'platform URL is empty';
  if (urls.length > 16) return 'at most 16 platform URLs';
  for (const u of urls) {
    if (!/^wss?:\/\//.test(u)) return `platform URL must start with ws:// or wss:// (${u.slice(0, 80)})`;
    try {
      new URL(u);
    } catch {
      return `not a URL: ${u.slice(0, 80)}`;
    }
  }
  return null;
}

const ColumnId = z.string().min(1).max(32);
/** The alert table's columns as this person left them: order, hidden ones, widths (px) and the sort. */
export const AlertTableLayoutSchema = z
  .object({
    order: z.array(ColumnId).max(24),
    hidden: z.array(ColumnId).max(24),
    sizes: z.record(ColumnId, z.number().int().min(32).max(1600)),
    sort: z.object({ key: ColumnId, desc: z.boolean() }).strict(),
  })
  .strict();
export type AlertTableLayout = z.infer<typeof AlertTableLayoutSchema>;

export const SettingsSchema = z.object({
  /** 'auto' follows the OS / browser locale */
  language: z.union([z.literal('auto'), LanguageSchema]),
  theme: z.enum(['system', 'light', 'dark']),
  /** alerts at or above this severity raise a native notification */
  notifyMinSeverity: SeveritySchema,
  /** minutes between repeats of an unacked P0/P1 notification; 0 = no repeat */
  notifyRepeatMinutes: z.number().int().min(0).max(240),
  notifyResolved: z.boolean(),
  quietHours: z.object({ enabled: z.boolean(), start: HHMM, end: HHMM }),
  /**
   * the name typed for this console: used only where no credential proves who is here (the team's shared
   * token, where records mark it "(shared token)", or no platform at all); a personal token or the SSO
   * proxy names the person instead
   */
  operator: z.string().trim().min(1).max(80),
  /**
   * wss:// or ws:// URL of the platform gateway, or several replicas of it separated by commas (the console
   * uses one and moves to the next when it fails); null = start the embedded demo gateway
   */
  platformUrl: z
    .string()
    .trim()
    .max(4000)
    .superRefine((u, ctx) => {
      const problem = platformUrlProblem(u);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable(),
  /** IANA time zone used for rosters and quiet hours; 'local' = the machine's zone */
  timeZone: z.string().min(1).max(64),
  /** the alert table's column layout; null = the built-in one */
  alertTable: AlertTableLayoutSchema.nullable(),
  /** a PEM file of CA certificates the platform's TLS certificate is checked against (a company CA); null = the system's */
  platformCaFile: z.string().trim().min(1).max(4096).nullable(),
  /** how this console signs in to the platform: a personal (or shared) token, or the SSO proxy in front of it */
  platformSignIn: z.enum(['token', 'proxy']),
  /** the desktop app starts (in the tray) when the person logs in; the browser host ignores it */
  startAtLogin: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  language: 'auto',
  theme: 'system',
  notifyMinSeverity: 'P2',
  notifyRepeatMinutes: 5,
  notifyResolved: false,
  quietHours: { enabled: false, start: '22:00', end: '07:00' },
  operator: 'on-call',
  platformUrl: null,
  timeZone: 'local',
  alertTable: null,
  platformCaFile: null,
  platformSignIn: 'token',
  startAtLogin: true,
};

/** Why a console is signed out. */
export const SIGN_OUT_REASONS = ['revoked', 'expired', 'wrong', 'missing', 'untrusted_proxy', 'no_role', 'signed_out'] as const;
export type SignOutReason = (typeof SIGN_OUT_REASONS)[number];

/**
 * Who is signed in at this console (docs/deploy.md): `signed_in` with the person the platform proved (kept
 * while offline); `signing_in` until the first welcome says who the token belongs to; `signed_out` when the
 * platform refused the credential or the person signed out (`identity` is then who was signed in);
 * `local` without a platform.
 */
export const SessionSchema = z.object({
  state: z.enum(['signed_in', 'signing_in', 'signed_out', 'local']),
  identity: IdentitySchema.nullable(),
  reason: z.enum(SIGN_OUT_REASONS).nullable(),
  /** the name records made now carry (the shared token's marked "(shared token)"); null while nobody is signed in */
  name: z.string().nullable(),
  /** actions queued as someone else than who is signed in now: they wait for that person */
  heldActions: z.number().int(),
});
export type Session = z.infer<typeof SessionSchema>;

export const LINK_STATUSES = ['online', 'connecting', 'offline', 'auth_failed', 'degraded', 'disabled'] as const;
export const LinkStateSchema = z.object({
  status: z.enum(LINK_STATUSES),
  /** ms since epoch when this status began */
  since: z.number(),
  platformUrl: z.string().nullable(),
  /** true when the platform is the embedded demo gateway */
  embedded: z.boolean(),
  lastError: z.string().nullable(),
  /** ms since epoch of the last event stored from the platform */
  lastSyncAt: z.number().nullable(),
  cursor: z.number().int().nullable(),
  /** snapshot download progress, when one is under way */
  snapshot: z.object({ received: z.number().int(), total: z.number().int() }).nullable(),
  /** number of actions waiting in the outbox */
  pendingActions: z.number().int(),
  /** the name records made here carry, as the platform's welcome said it */
  operator: z.string().nullable(),
  session: SessionSchema,
});
export type LinkState = z.infer<typeof LinkStateSchema>;

export const StoreStatusSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), file: z.string() }),
  z.object({
    ok: z.literal(false),
    file: z.string(),
    code: z.enum(['corrupt', 'unwritable', 'disk_full', 'migration_mismatch', 'unknown']),
    message: z.string(),
  }),
]);
export type StoreStatus = z.infer<typeof StoreStatusSchema>;

/**
 * The console cannot write its data while it runs: a full disk, a data folder that became read-only, an
 * I/O error. Shown as a banner with what to do; cleared by the next write that works.
 */
export const StorageProblemSchema = z.object({
  code: z.enum(['disk_full', 'read_only', 'io_error']),
  /** the error as the system said it */
  message: z.string(),
  since: z.number(),
  /** the folder that must get space or become writable again */
  dataDir: z.string(),
});
export type StorageProblem = z.infer<typeof StorageProblemSchema>;

/**
 * Start-up work the core runs after it already answers (the first screen never waits for it): the store's
 * integrity check, the notification policy's state from the firing alerts, the bundled checklist templates,
 * the first prune of the alert history.
 */
export const WARMUP_TASKS = ['integrity', 'notifications', 'templates', 'history'] as const;
export const WarmupTaskSchema = z.enum(WARMUP_TASKS);
export type WarmupTask = z.infer<typeof WarmupTaskSchema>;

/** What is still warming up, and the store's status (a deferred integrity check may find it damaged). */
export const StartupStateSchema = z.object({ warmingUp: z.array(WarmupTaskSchema), store: StoreStatusSchema });
export type StartupState = z.infer<typeof StartupStateSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['electron', 'browser']),
  store: StoreStatusSchema,
  osLocale: z.string(),
  startedAt: z.number(),
  /** the OS folder chooser is available (the desktop app); the browser host cannot offer one */
  canPickFolder: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** How fresh each cached collection is: ms since epoch of its newest write, or null if never synced. */
export const FreshnessSchema = z.object({
  alerts: z.number().nullable(),
  runbooks: z.number().nullable(),
  dashboards: z.number().nullable(),
  rosters: z.number().nullable(),
});
export type Freshness = z.infer<typeof FreshnessSchema>;
export const COLLECTIONS = ['alerts', 'runbooks', 'dashboards', 'rosters', 'checklists', 'incidents', 'handovers', 'outbox', 'settings'] as const;
export const CollectionSchema = z.enum(COLLECTIONS);
export type Collection = z.infer<typeof CollectionSchema>;
