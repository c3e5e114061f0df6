/** Alerts as Vigil caches them (one row per fingerprint). */
import { z } from 'zod';
import { SeveritySchema } from './domain';

export const LabelSetSchema = z.record(z.string(), z.string());

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
});
export type Alert = z.infer<typeof AlertSchema>;

/** What the console shows: resolved beats silenced beats acked beats firing. */
export type AlertDisplayState = 'firing' | 'acked' | 'silenced' | 'resolved';
export function displayState(a: Pick<Alert, 'state' | 'silencedBy' | 'ackedBy' | 'inhibitedBy'>): AlertDisplayState {
  if (a.state === 'resolved') return 'resolved';
  if (a.ackedBy) return 'acked';
  if (a.silencedBy.length > 0 || a.inhibitedBy.length > 0) return 'silenced';
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
