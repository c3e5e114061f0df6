/**
 * Shift handover (handbook 002: weekly rotation with written handover records). Vigil drafts the record
 * from the shift's local history; the outgoing engineer adds notes and "watch out for" items and submits;
 * the incoming engineer signs it in their own Vigil.
 */
import { z } from 'zod';
import { SeveritySchema } from './domain';
import { IncidentStatusSchema } from './incidents';
import { RUN_RESULTS, TemplateKindSchema } from './checklists';

const AlertRefSchema = z.object({
  fingerprint: z.string(),
  alertname: z.string(),
  severity: SeveritySchema,
  /** when it fired / was acked during the shift */
  at: z.number(),
  by: z.string().nullable(),
});
export type AlertRef = z.infer<typeof AlertRefSchema>;

export const HandoverDraftSchema = z.object({
  shiftStart: z.number(),
  shiftEnd: z.number(),
  /** the end of the window the watchdog looks into (the next shift, same length as this one) */
  nextShiftEnd: z.number(),
  alerts: z.object({
    fired: z.array(AlertRefSchema),
    acked: z.array(AlertRefSchema),
    /** still firing at the end of the shift (acked or not, not silenced) */
    open: z.array(AlertRefSchema),
  }),
  incidents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity: SeveritySchema,
      status: IncidentStatusSchema,
      changeFreeze: z.boolean(),
      declaredAt: z.number(),
    }),
  ),
  /** silences and acks that run out during the next shift: the alert comes back on someone else's watch */
  expiring: z.array(
    z.object({
      kind: z.enum(['silence', 'ack']),
      id: z.string(),
      endsAt: z.number(),
      what: z.string(),
      createdBy: z.string(),
      comment: z.string(),
    }),
  ),
  checklists: z.array(
    z.object({
      runId: z.string(),
      templateId: z.string(),
      kind: TemplateKindSchema,
      title: z.object({ en: z.string(), 'zh-CN': z.string() }),
      result: z.enum(RUN_RESULTS),
      state: z.enum(['open', 'finished']),
      startedBy: z.string(),
      startedAt: z.number(),
      finishedAt: z.number().nullable(),
    }),
  ),
  outbox: z.object({
    pending: z.number().int(),
    failed: z.number().int(),
    items: z.array(z.object({ id: z.string(), type: z.string(), state: z.string(), createdAt: z.number(), lastError: z.string().nullable() })),
  }),
});
export type HandoverDraft = z.infer<typeof HandoverDraftSchema>;

const WatchItem = z.string().trim().min(1).max(1000);

export const HandoverSchema = z.object({
  id: z.string().min(1).max(64),
  shiftStart: z.number(),
  shiftEnd: z.number(),
  outgoing: z.string().min(1).max(80),
  /** who is expected to take over (optional; whoever signs is recorded) */
  incoming: z.string().max(80).nullable(),
  draft: HandoverDraftSchema,
  notes: z.string().max(20_000),
  watchItems: z.array(WatchItem).max(100),
  state: z.enum(['submitted', 'signed']),
  submittedAt: z.number(),
  signedAt: z.number().nullable(),
  signedBy: z.string().max(80).nullable(),
  signNote: z.string().max(2000).nullable(),
});
export type Handover = z.infer<typeof HandoverSchema>;

export const HandoverDraftQuerySchema = z
  .object({
    /** start of the shift being handed over; default: the end of the last handover, else 12 h ago */
    shiftStart: z.number().int().positive().optional(),
  })
  .strict();

export const HandoverSubmitSchema = z
  .object({
    shiftStart: z.number().int().positive(),
    incoming: z.string().trim().max(80).optional(),
    notes: z.string().trim().max(20_000).default(''),
    watchItems: z.array(WatchItem).max(100).default([]),
  })
  .strict();
export type HandoverSubmitInput = z.input<typeof HandoverSubmitSchema>;

export const HandoverSignSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

export const HandoverQuerySchema = z
  .object({
    /** words searched in people, notes, watch items and the drafted contents */
    text: z.string().trim().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
