/** Alerts as Vigil caches them (one row per fingerprint). */
import { z } from 'zod';
import { SeveritySchema } from './domain';

export const LabelSetSchema = z.record(z.string(), z.string());

/** A cluster's name as the gateway's config gives it: what `@cluster="…"` matches. */
export const ClusterNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a cluster name is 1–63 letters, digits, _ . -');

export const AlertSchema = z.object({
  fingerprint: z.string().min(1).max(128),
  alertname: z.string(),
  labels: LabelSetSchema,
  annotations: LabelSetSchema,
  /** as the source reports it */
  state: z.enum(['firing', 'resolved']),
  severity: SeveritySchema,
  startsAt: z.number(),
  endsAt: z.number().nullable(),
  updatedAt: z.number(),
  generatorUrl: z.string().nullable(),
  silencedBy: z.array(z.string()),
  inhibitedBy: z.array(z.string()),
  ackedBy: z.string().nullable(),
  ackedAt: z.number().nullable(),
  /** the silence that carries the ack, where the source implements ack as a silence */
  ackId: z.string().nullable(),
  // Added after protocol v1 shipped: optional, so a v1 gateway's alerts (without them) stay valid.
  /** the cluster (a group of HA Alertmanagers) the alert came from; absent for single-upstream sources */
  cluster: ClusterNameSchema.optional(),
  /** when the ack silence ends as things stand (the gateway may extend it while the alert fires) */
  ackExpiresAt: z.number().nullable().optional(),
  /** how many times the gateway has extended this ack because the alert was still firing */
  ackExtensions: z.number().int().nonnegative().optional(),
  /** the gateway extends this ack while the alert fires and lets it lapse once it resolves */
  ackAutoExtend: z.boolean().optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

/**
 * What the console shows: resolved beats acked beats silenced beats inhibited beats firing. Inhibited is not
 * silenced: no one muted it, another firing alert (inhibitedBy) suppresses it by an inhibit rule, and it comes
 * back on its own when that one resolves.
 */
export type AlertDisplayState = 'firing' | 'acked' | 'silenced' | 'inhibited' | 'resolved';
export function displayState(a: Pick<Alert, 'state' | 'silencedBy' | 'ackedBy' | 'inhibitedBy'>): AlertDisplayState {
  if (a.state === 'resolved') return 'resolved';
  if (a.ackedBy) return 'acked';
  if (a.silencedBy.length > 0) return 'silenced';
  if (a.inhibitedBy.length > 0) return 'inhibited';
  return 'firing';
}

export const MatcherSchema = z.object({
  name: z.string().min(1),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean(),
});
export type Matcher = z.infer<typeof MatcherSchema>;

export const SilenceSchema = z.object({
  id: z.string().min(1),
  matchers: z.array(MatcherSchema),
  startsAt: z.number(),
  endsAt: z.number(),
  createdBy: z.string(),
  comment: z.string(),
  state: z.enum(['active', 'pending', 'expired']),
  updatedAt: z.number(),
  /** the cluster the silence lives in (added after v1: optional) */
  cluster: ClusterNameSchema.optional(),
});
export type Silence = z.infer<typeof SilenceSchema>;

export const AlertEventSchema = z.object({
  fingerprint: z.string(),
  at: z.number(),
  kind: z.string(),
  /** an English line; read it in the reader's language with alertEventText (@shared/alert-history) */
  detail: z.string(),
  /** the entry's parameters, when stored with it (action entries); see @shared/alert-history */
  params: z.record(z.string(), z.string()).nullable().optional(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
