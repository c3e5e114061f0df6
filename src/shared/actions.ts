/**
 * Every action the console sends to the platform, with its payload schema. The outbox stores these; the
 * gateway validates them with the same schemas. Declared once here.
 */
import { z } from 'zod';
import { MatcherSchema } from './alerts';
import { SeveritySchema } from './domain';
import { regexProblem } from './matchers';

const Fp = z.string().min(1).max(128);
const Text = (max: number) => z.string().max(max);

export const actionPayloads = {
  'alert.ack': z.object({ fingerprint: Fp, note: Text(1000).optional(), durationMinutes: z.number().int().min(1).max(10080).optional() }),
  'alert.unack': z.object({ fingerprint: Fp }),
  'alert.resolve': z.object({ fingerprint: Fp, note: Text(1000).optional() }),
  'alert.escalate': z.object({
    fingerprint: Fp,
    level: z.number().int().min(1).max(10).optional(),
    reason: Text(500).optional(),
    automatic: z.boolean().optional(),
  }),
  'silence.create': z.object({
    // regex values are checked as Alertmanager checks them (Go RE2), so a bad one is refused before it is queued
    matchers: z
      .array(MatcherSchema)
      .min(1)
      .max(50)
      .superRefine((ms, ctx) => {
        ms.forEach((m, i) => {
          const problem = m.isRegex ? regexProblem(m.value) : null;
          if (problem) ctx.addIssue({ code: 'custom', path: [i, 'value'], message: `${m.name}: ${problem}` });
        });
      }),
    startsAt: z.number().optional(),
    endsAt: z.number(),
    comment: z.string().trim().min(1, 'a comment is required').max(1000),
  }),
  'silence.expire': z.object({ silenceId: z.string().min(1).max(128) }),
  'incident.declare': z.object({
    incidentId: z.string().min(1).max(64),
    title: z.string().trim().min(1).max(300),
    severity: SeveritySchema,
    proposedSeverity: SeveritySchema.nullable(),
    fingerprints: z.array(Fp).max(500),
  }),
  'incident.update': z.object({ incidentId: z.string().min(1).max(64), patch: z.record(z.string(), z.unknown()) }),
  'incident.timeline': z.object({
    incidentId: z.string().min(1).max(64),
    entryId: z.string().min(1).max(64),
    kind: z.enum(['note', 'action', 'decision', 'status_update', 'alert']),
    text: Text(10_000),
    at: z.number(),
  }),
  'incident.status_update': z.object({
    incidentId: z.string().min(1).max(64),
    phase: z.enum(['start', 'update', 'resolved']),
    text: Text(10_000),
    /**
     * the console's timeline entry of this update: the gateway sends the update to the incident's channels
     * and reports the deliveries as `comms.update` with this id (optional: older consoles send none)
     */
    updateId: z.string().min(1).max(64).optional(),
  }),
  'incident.close': z.object({ incidentId: z.string().min(1).max(64), postmortem: Text(200_000) }),
  'incident.reopen': z.object({ incidentId: z.string().min(1).max(64), reason: Text(1000) }),
  'checklist.result': z.object({ runId: z.string().min(1).max(64), templateId: z.string().max(200), result: z.unknown() }),
  'handover.submit': z.object({ handoverId: z.string().min(1).max(64), record: z.unknown() }),
  'handover.sign': z.object({
    handoverId: z.string().min(1).max(64),
    /** ignored by the gateway, which signs as the credential's person; kept so older consoles' actions validate */
    signedBy: z.string().min(1).max(80).optional(),
    note: Text(2000).optional(),
  }),
  /**
   * the shift self-check's test call: the gateway sends a marked TEST message through every channel that
   * would reach the sender, and reports each one as `comms.update` with this id
   */
  'paging.test': z.object({ testId: z.string().min(1).max(64) }),
} as const;

export type ActionType = keyof typeof actionPayloads;
export const ACTION_TYPES = Object.keys(actionPayloads) as ActionType[];
export const ActionTypeSchema = z.enum(ACTION_TYPES as [ActionType, ...ActionType[]]);
export type ActionPayload<T extends ActionType> = z.infer<(typeof actionPayloads)[T]>;

export function parseActionPayload<T extends ActionType>(type: T, payload: unknown): ActionPayload<T> {
  return actionPayloads[type].parse(payload) as ActionPayload<T>;
}

export const OutboxEntrySchema = z.object({
  id: z.string(),
  type: ActionTypeSchema,
  payload: z.unknown(),
  state: z.enum(['pending', 'sent', 'acked', 'failed', 'discarded']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;
