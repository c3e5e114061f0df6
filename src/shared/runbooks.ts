/** Runbooks: markdown documents, synced from the platform or imported from a folder. */
import { z } from 'zod';

export const RunbookSchema = z.object({
  id: z.string().min(1).max(200),
  title: z.string(),
  service: z.string().nullable(),
  alertnames: z.array(z.string()),
  tags: z.array(z.string()),
  owner: z.string().nullable(),
  /** the source URL this runbook is known by (matches an alert's runbook_url annotation) */
  url: z.string().nullable(),
  markdown: z.string(),
  updatedAt: z.number(),
  fetchedAt: z.number(),
  origin: z.enum(['platform', 'local']),
});
export type Runbook = z.infer<typeof RunbookSchema>;
export type RunbookSummary = Omit<Runbook, 'markdown'>;
