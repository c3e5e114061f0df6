/** The slice of the Alertmanager API v2 the source uses, with the answers validated. */
import { z } from 'zod';
import type { Matcher } from '@shared/alerts';
import { requestJson, type Transport } from './upstream';

const Labels = z.record(z.string(), z.string());

export const AmAlertSchema = z.object({
  fingerprint: z.string().min(1),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string().optional(),
  generatorURL: z.string().optional(),
  status: z.object({
    state: z.string(),
    silencedBy: z.array(z.string()).nullish(),
    inhibitedBy: z.array(z.string()).nullish(),
  }),
});
export type AmAlert = z.infer<typeof AmAlertSchema>;

export const AmSilenceSchema = z.object({
  id: z.string().min(1),
  matchers: z.array(
    z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().optional() }),
  ),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string().optional(),
  createdBy: z.string(),
  comment: z.string(),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
});
export type AmSilence = z.infer<typeof AmSilenceSchema>;

export interface PostableSilence {
  /** set to update an existing silence */
  id?: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface AlertmanagerApi {
  alerts(): Promise<AmAlert[]>;
  silences(): Promise<AmSilence[]>;
  createSilence(s: PostableSilence): Promise<string>;
  expireSilence(id: string): Promise<void>;
}

export function alertmanagerApi(baseUrl: string, timeoutMs: number, transport?: Transport): AlertmanagerApi {
  const base = { upstream: 'Alertmanager' as const, baseUrl, timeoutMs, transport };
  return {
    alerts: () => requestJson({ ...base, path: 'api/v2/alerts', schema: z.array(AmAlertSchema) }),
    silences: () => requestJson({ ...base, path: 'api/v2/silences', schema: z.array(AmSilenceSchema) }),
    createSilence: async (s) =>
      (
        await requestJson({
          ...base,
          path: 'api/v2/silences',
          method: 'POST',
          body: s,
          schema: z.object({ silenceID: z.string() }),
        })
      ).silenceID,
    expireSilence: (id) => requestJson({ ...base, path: `api/v2/silence/${encodeURIComponent(id)}`, method: 'DELETE' }),
  };
}
