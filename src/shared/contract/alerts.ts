/**
 * Alert console slice: actions on alerts and silences (all through the outbox), their progress, saved
 * filters, counts for the title bar and tray, and the notification controls (mute, test).
 */
import { z } from 'zod';
import { MatcherSchema, type AlertEvent, type Silence } from '../alerts';
import { AlertViewSchema, type AlertView } from '../alert-view';
import { SEVERITIES, SeveritySchema, type Severity } from '../domain';
import { event, method } from '../rpc';
import type { NotifyFailure } from '../notify-failure';

export const DISPLAY_STATES = ['firing', 'acked', 'silenced', 'inhibited', 'resolved'] as const;
export const DisplayStateSchema = z.enum(DISPLAY_STATES);

/** What the console groups by until the user picks other labels (Alertmanager's usual group_by). */
export const DEFAULT_GROUP_BY: readonly string[] = ['alertname', 'service'];

/** One key per group: the values of the group-by labels, missing ones as empty strings. */
export function groupKeyOf(labels: Readonly<Record<string, string>>, by: readonly string[]): string {
  return by.map((l) => labels[l] ?? '').join('\u241f');
}

const Fingerprint = z.string().min(1).max(128);
const Fingerprints = z.array(Fingerprint).min(1, 'select at least one alert').max(5000);
const LabelName = z.string().min(1).max(100);
const Note = z.string().trim().max(1000);

/** A filter as the user builds it: free text, an Alertmanager matcher expression, states, grouping. */
export const AlertQuerySchema = z.object({
  text: z.string().max(500),
  /** matcher syntax as typed, e.g. `{severity="critical", service=~"ozon.*"}`; validated by parseMatchers */
  matchers: z.string().max(2000),
  states: z.array(DisplayStateSchema).max(DISPLAY_STATES.length),
  groupBy: z.array(LabelName).max(5),
});
export type AlertQuery = z.infer<typeof AlertQuerySchema>;

export const SavedFilterSchema = AlertQuerySchema.extend({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'a name is required').max(80),
  createdAt: z.number(),
});
export type SavedFilter = z.infer<typeof SavedFilterSchema>;
export const SavedFilterInputSchema = AlertQuerySchema.extend({ name: SavedFilterSchema.shape.name }).strict();

export const ALERT_ACTION_TYPES = ['alert.ack', 'alert.unack', 'alert.resolve', 'alert.escalate', 'silence.create', 'silence.expire'] as const;
export type AlertActionType = (typeof ALERT_ACTION_TYPES)[number];

/** One action as the console tracks it, from the outbox: pending until the platform answers. */
export const AlertActionSchema = z.object({
  id: z.string(),
  type: z.enum(ALERT_ACTION_TYPES),
  /** the alerts it concerns (empty for silence.expire) */
  fingerprints: z.array(z.string()),
  silenceId: z.string().nullable(),
  state: z.enum(['pending', 'confirmed', 'failed']),
  /** the platform's reason when failed */
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type AlertAction = z.infer<typeof AlertActionSchema>;

const SeverityCount = z.object({ total: z.number().int(), unacked: z.number().int() });
export const AlertCountsSchema = z.object({
  /** firing alerts per severity (total) and those nobody acked or silenced (unacked) */
  bySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, SeverityCount])) as Record<Severity, typeof SeverityCount>),
  unacked: z.number().int(),
  worstUnacked: SeveritySchema.nullable(),
});
export type AlertCounts = z.infer<typeof AlertCountsSchema>;

export const NotifyStateSchema = z.object({
  /** native notifications are held back (P0 still breaks through) until this time */
  mutedUntil: z.number().nullable(),
  /** true while settings.quietHours covers the current time */
  quietNow: z.boolean(),
});
export type NotifyState = z.infer<typeof NotifyStateSchema>;

export const MUTE_PRESETS_MIN = [15, 60] as const;
/** silence duration presets in the dialog (minutes); "custom" takes any duration up to 30 days */
export const SILENCE_PRESETS_MIN = [30, 60, 240] as const;
export const MAX_SILENCE_MIN = 30 * 24 * 60;

export const SilenceInputSchema = z
  .object({
    matchers: z.array(MatcherSchema).min(1, 'a silence needs at least one matcher').max(50),
    durationMinutes: z.number().int().min(1).max(MAX_SILENCE_MIN),
    comment: z.string().trim().min(1, 'a comment is required').max(1000),
  })
  .strict();
export type SilenceInput = z.infer<typeof SilenceInputSchema>;

/** Where the next page of alertsPage starts: the last alert of the previous page, in list order. */
export const AlertPageCursorSchema = z.object({ severity: SeveritySchema, startsAt: z.number(), fingerprint: Fingerprint });
export type AlertPageCursor = z.infer<typeof AlertPageCursorSchema>;
export interface AlertPage {
  /** oversized names and values cut (alert-view.ts); the whole value comes from alertValue */
  alerts: AlertView[];
  /** null on the last page */
  next: AlertPageCursor | null;
  /** alerts in the cache when this page was read */
  total: number;
}

export const alertMethods = {
  /** every cached alert (small lists: the incident form's alert picker; the console pages with alertsPage) */
  alertsList: method<AlertView[]>()(z.tuple([])),
  /**
   * The whole value of a label or annotation the views got cut ("show all"), by its position in the stored
   * alert; null when the alert or the entry is gone.
   */
  alertValue: method<{ name: string; value: string } | null>()(
    z.tuple([Fingerprint, z.enum(['labels', 'annotations']), z.number().int().nonnegative().max(100_000)]),
  ),
  /** one alert's stored history, oldest first */
  alertHistory: method<AlertEvent[]>()(z.tuple([Fingerprint])),
  silencesList: method<Silence[]>()(z.tuple([])),
  /**
   * The cached alerts page by page, most severe and newest first (the console's default order), so the
   * first rows show at once even with 100k alerts cached.
   */
  alertsPage: method<AlertPage>()(z.tuple([AlertPageCursorSchema.nullable(), z.number().int().min(1).max(20_000)])),
  /** ack (optionally with a note and a duration for sources that ack with a silence); one action per alert */
  alertAck: method<AlertAction[]>()(
    z.tuple([Fingerprints, z.object({ note: Note.optional(), durationMinutes: z.number().int().min(1).max(10080).optional() }).strict().optional()]),
  ),
  alertUnack: method<AlertAction[]>()(z.tuple([Fingerprints])),
  alertResolve: method<AlertAction[]>()(z.tuple([Fingerprints, z.object({ note: Note.optional() }).strict().optional()])),
  /** escalates to the next roster level (the roster work decides who that is) */
  alertEscalate: method<AlertAction[]>()(z.tuple([Fingerprints, z.object({ reason: Note.optional() }).strict().optional()])),
  silenceCreate: method<AlertAction>()(z.tuple([SilenceInputSchema])),
  silenceExpire: method<AlertAction>()(z.tuple([z.string().min(1).max(128)])),
  /** the recent alert and silence actions with their progress, newest first (retry a failed one with outboxRetry) */
  alertActions: method<AlertAction[]>()(z.tuple([])),
  alertCounts: method<AlertCounts>()(z.tuple([])),
  alertFiltersList: method<SavedFilter[]>()(z.tuple([])),
  alertFilterSave: method<SavedFilter>()(z.tuple([SavedFilterInputSchema])),
  alertFilterDelete: method<{ deleted: boolean }>()(z.tuple([z.string().min(1).max(64)])),
  notifyState: method<NotifyState>()(z.tuple([])),
  /** holds native notifications back for N minutes (0 = unmute); P0 still breaks through */
  notifyMute: method<NotifyState>()(z.tuple([z.number().int().min(0).max(24 * 60)])),
  /** sends one test notification through the OS notifier */
  /** error: why not, worded in the core's language; reason: the same as a code, for the renderer to word */
  notifyTest: method<{ delivered: boolean; error: string | null; reason: NotifyFailure | null }>()(z.tuple([])),
};

export const alertEvents = {
  /**
   * Alerts changed after a sync commit. `reset` means too much changed to send as a delta: reload the
   * list with alertsList.
   */
  alertsChanged: event(
    z.object({
      reset: z.boolean(),
      upserted: z.array(AlertViewSchema),
      removed: z.array(z.string()),
      silencesChanged: z.boolean(),
    }),
  ),
  alertCounts: event(AlertCountsSchema),
  /** an alert action was queued or changed state */
  alertActionsChanged: event(z.object({ ids: z.array(z.string()) })),
  notifyState: event(NotifyStateSchema),
};
