/**
 * Paging: the outbound channels a roster names (DingTalk, WeCom, Feishu/Lark, Slack, a generic webhook for
 * SMS and voice providers) and the ladders the gateway runs (`page.update`, one per alert). docs/roster.md is
 * the prose reference.
 *
 * A channel's URL, headers and body template stay on the gateway: the roster the gateway syncs to consoles
 * carries each channel's id, type, name and host only (`redactChannel`). Secrets are never in the document:
 * `secretEnv` / `secretFile` name where the gateway reads them.
 */
import { z } from 'zod';
import { SeveritySchema } from './domain';

export const CHANNEL_TYPES = ['dingtalk', 'wecom', 'feishu', 'slack', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const PAGE_LANGUAGES = ['zh-CN', 'en'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

const ChannelId = z
  .string()
  .trim()
  .min(1, 'an id is required')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'ids use letters, digits, ".", "_" and "-" only');

const HttpUrl = z
  .string()
  .trim()
  .max(2000)
  .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'expected an http(s) URL');

const EnvName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name has letters, digits and "_"');

/** what every channel has; `url` is null only in the redacted copy consoles receive */
const ChannelBase = {
  id: ChannelId,
  name: z.string().trim().max(120).nullish().transform((v) => v ?? null),
  url: HttpUrl.nullish().transform((v) => v ?? null),
  /** the environment variable with the signing secret (DingTalk `SEC…`, Feishu) or the value of `{{secret}}` */
  secretEnv: EnvName.nullish().transform((v) => v ?? null),
  /** a file with that secret (its first line); read by the gateway only */
  secretFile: z.string().trim().min(1).max(1000).nullish().transform((v) => v ?? null),
  /** the language of the messages (the team's) */
  language: z.enum(PAGE_LANGUAGES).default('zh-CN'),
  /** messages per minute the gateway sends on this channel at most (default: the vendor's limit) */
  ratePerMinute: z.number().int().min(1).max(6000).nullish().transform((v) => v ?? null),
  /** give up on one request after this long */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** tries before a message goes to the dead letters */
  maxAttempts: z.number().int().min(1).max(50).default(6),
  /** the host of the URL, in the redacted copy only (so a console can say "DingTalk (oapi.dingtalk.com)") */
  host: z.string().max(300).nullish().transform((v) => v ?? null),
};

const Mobiles = z
  .array(z.string().trim().regex(/^\+?[0-9().\- ]{3,32}$/, 'a phone number has digits, spaces, "+", "-", "(", ")" and "." only'))
  .max(50)
  .default([]);

export const ChannelSchema = z.discriminatedUnion('type', [
  z.object({ ...ChannelBase, type: z.literal('dingtalk'), atMobiles: Mobiles, atAll: z.boolean().default(false) }),
  z.object({
    ...ChannelBase,
    type: z.literal('wecom'),
    /** userids to mention ("@all" for everyone); the paged people's `im.wecom` are added */
    mentionedList: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
    mentionedMobiles: Mobiles,
  }),
  z.object({
    ...ChannelBase,
    type: z.literal('feishu'),
    /** open_ids (ou_…) to @ in the message */
    atUserIds: z.array(z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Feishu user id has letters, digits, "_" and "-"')).max(50).default([]),
  }),
  z.object({ ...ChannelBase, type: z.literal('slack') }),
  z.object({
    ...ChannelBase,
    type: z.literal('webhook'),
    method: z.enum(['POST', 'PUT']).default('POST'),
    /** header values may contain {{secret}} */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name has letters, digits and "-"'), z.string().max(2000)).default({}),
    /**
     * the JSON body; every string in it may contain {{placeholders}}: person, phone, alert, severity, summary,
     * level, levelName, runbook, link, text, secret
     */
    body: z.unknown().optional(),
  }),
]);
export type Channel = z.output<typeof ChannelSchema>;
export type ChannelInput = z.input<typeof ChannelSchema>;

/** What consoles receive of a channel: no URL (it carries the token on most vendors), no headers, no body. */
export function redactChannel(c: Channel): Channel {
  // redacting a redacted copy keeps its host
  let host: string | null = c.host;
  try {
    if (c.url) host = new URL(c.url).host;
  } catch {
    host = null;
  }
  const base = { ...c, url: null, secretEnv: null, secretFile: null, host };
  if (base.type === 'webhook') return { ...base, headers: {}, body: undefined };
  return base;
}

/** A delivery of one page message, as consoles see it. */
export const DeliverySchema = z.object({
  channel: z.string().max(100),
  type: z.enum(CHANNEL_TYPES),
  /** the person an individual message (webhook: SMS, voice) is for; null for a group message */
  person: z.string().max(120).nullable(),
  state: z.enum(['pending', 'retrying', 'sent', 'dead']),
  attempts: z.number().int().nonnegative(),
  /** when it was delivered or given up */
  at: z.number().nullable(),
  /** the provider's last answer when it failed (truncated) */
  error: z.string().max(500).nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const PagedPersonSchema = z.object({
  id: z.string().max(120),
  name: z.string().max(120),
  /** the gateway login their consoles sign in as (null: none known) */
  login: z.string().max(128).nullable(),
  /** whether a console signed in as them was connected when the page went out */
  console: z.enum(['delivered', 'not_connected', 'no_login']),
});
export type PagedPerson = z.infer<typeof PagedPersonSchema>;

export const PageStepSchema = z.object({
  level: z.number().int().min(1),
  name: z.string().max(120).nullable(),
  at: z.number(),
  /** escalated by hand (`e`) by this person; null when the ladder's time came */
  by: z.string().max(120).nullable(),
  /** night rules applied (the level's nightChannels) */
  night: z.boolean(),
  people: z.array(PagedPersonSchema).max(50),
  /** rotations the level targets with nobody on call */
  unstaffed: z.array(z.string().max(120)).max(20),
  deliveries: z.array(DeliverySchema).max(200),
});
export type PageStep = z.infer<typeof PageStepSchema>;

/** One alert's ladder at the gateway (`page.update`, entity id = the fingerprint). */
export const PageLadderSchema = z.object({
  fingerprint: z.string().min(1).max(128),
  ladderId: z.string().max(200),
  alertname: z.string().max(300),
  severity: SeveritySchema,
  rosterId: z.string().max(100),
  policyId: z.string().max(100),
  policyName: z.string().max(200),
  startedAt: z.number(),
  level: z.number().int().nonnegative(),
  levels: z.number().int().positive(),
  steps: z.array(PageStepSchema).max(20),
  /** the next level and when it is due; null at the top or once stopped */
  next: z
    .object({ level: z.number().int(), at: z.number(), people: z.array(z.object({ id: z.string(), name: z.string() })).max(50) })
    .nullable(),
  stoppedAt: z.number().nullable(),
  stopReason: z.string().max(300).nullable(),
  updatedAt: z.number(),
});
export type PageLadder = z.infer<typeof PageLadderSchema>;

/**
 * A page message that has not arrived, across every ladder the console holds (the roster view's "pages that
 * did not arrive"): still being retried, or given up on with the provider's last answer (a dead letter).
 */
export interface UndeliveredPage {
  fingerprint: string;
  alertname: string;
  severity: PageLadder['severity'];
  level: number;
  levelName: string | null;
  channel: string;
  type: ChannelType;
  person: string | null;
  state: 'retrying' | 'dead';
  attempts: number;
  /** when the level was paged */
  pagedAt: number;
  /** when it was given up (dead only) */
  gaveUpAt: number | null;
  error: string | null;
}

/** the deliveries of these ladders that have not arrived: retrying first, then dead letters, newest first */
export function undeliveredPages(ladders: readonly PageLadder[]): UndeliveredPage[] {
  const out: UndeliveredPage[] = [];
  for (const l of ladders)
    for (const step of l.steps)
      for (const d of step.deliveries) {
        if (d.state !== 'retrying' && d.state !== 'dead') continue;
        out.push({
          fingerprint: l.fingerprint,
          alertname: l.alertname,
          severity: l.severity,
          level: step.level,
          levelName: step.name,
          channel: d.channel,
          type: d.type,
          person: d.person,
          state: d.state,
          attempts: d.attempts,
          pagedAt: step.at,
          gaveUpAt: d.state === 'dead' ? d.at : null,
          error: d.error,
        });
      }
  const when = (u: UndeliveredPage) => u.gaveUpAt ?? u.pagedAt;
  return out.sort((a, b) => (a.state === b.state ? when(b) - when(a) : a.state === 'retrying' ? -1 : 1));
}

/** What a comms message is: an incident status update to the incident's channels, or a self-check test call. */
export const COMMS_KINDS = ['incident', 'test'] as const;
export type CommsKind = (typeof COMMS_KINDS)[number];

/** One channel's part in a comms message (`person` is set for an individual webhook: SMS, voice). */
export const CommsDeliverySchema = DeliverySchema;

/**
 * A status update or test call the gateway sent through the outbox, with each channel's delivery
 * (`comms.update`, entity id = `id`): sent again whenever a delivery changes state.
 */
export const CommsSchema = z.object({
  /** the console's id: the status update's timeline entry, or the self-check's test id */
  id: z.string().min(1).max(64),
  kind: z.enum(COMMS_KINDS),
  incidentId: z.string().max(64).nullable(),
  phase: z.enum(['start', 'update', 'resolved']).nullable(),
  /** who sent it (the credential's record name) and their login */
  by: z.string().max(120),
  login: z.string().max(128).nullable(),
  at: z.number(),
  deliveries: z.array(DeliverySchema).max(200),
  /** test calls: whether a console signed in as the sender was connected (their own console's path) */
  console: z.enum(['delivered', 'not_connected', 'no_login']).nullable(),
  /**
   * why nothing was sent when `deliveries` is empty: the gateway does not page (no --roster, or replicas),
   * it has no roster now, no channel is configured, or the sender is not in the roster
   */
  none: z.enum(['paging_off', 'no_roster', 'no_channels', 'not_in_roster']).nullable(),
  updatedAt: z.number(),
});
export type Comms = z.infer<typeof CommsSchema>;

/** every delivery has its final answer (sent or dead) */
export const commsSettled = (c: Pick<Comms, 'deliveries'>): boolean =>
  c.deliveries.every((d) => d.state === 'sent' || d.state === 'dead');
