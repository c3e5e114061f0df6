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

// ---- search ------------------------------------------------------------------------------------------
export const RunbookSearchQuerySchema = z.object({
  /** free text; whitespace separates terms, all of which must match (title, tags/service/alertnames, body) */
  query: z.string().max(200),
  service: z.string().min(1).max(200).nullable().optional(),
  tag: z.string().min(1).max(200).nullable().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type RunbookSearchQuery = z.infer<typeof RunbookSearchQuerySchema>;

/** a piece of text and whether it matched a search term: rendered as text, never as HTML */
export interface TextSegment {
  text: string;
  hit: boolean;
}

export type SearchField = 'title' | 'meta' | 'body';

export interface RunbookSearchHit {
  runbook: RunbookSummary;
  title: TextSegment[];
  snippet: TextSegment[];
  matchedIn: SearchField[];
}

export interface RunbookSearchResult {
  query: string;
  /** fts: every term ≥ 3 characters (trigram index); like: every term shorter (scan); mixed: both; all: no terms */
  mode: 'all' | 'fts' | 'like' | 'mixed';
  total: number;
  hits: RunbookSearchHit[];
}

export interface RunbookFacets {
  services: { name: string; count: number }[];
  tags: { name: string; count: number }[];
}

// ---- local folder import -------------------------------------------------------------------------------
export interface FolderImportResult {
  root: string;
  scanned: number;
  imported: number;
  updated: number;
  unchanged: number;
  /** runbooks imported earlier from this folder whose file is gone */
  removed: number;
  skipped: { file: string; reason: string }[];
  /** front matter problems that did not stop the import (the file was imported without it) */
  warnings: { file: string; reason: string }[];
}

// ---- alert ↔ runbook -------------------------------------------------------------------------------------
/** The runbook an alert points at: a cached copy, a web page Vigil has no copy of, or none (and why). */
export type RunbookRef =
  | { kind: 'local'; runbook: RunbookSummary; via: 'url' | 'id' | 'alertname'; externalUrl: string | null }
  | { kind: 'external'; url: string; candidates: RunbookSummary[] }
  | { kind: 'none'; reason: string };

/** A firing alert that resolves to a runbook, as the runbook's page lists it (and how it resolved). */
export interface RunbookAlert {
  fingerprint: string;
  alertname: string;
  severity: 'P0' | 'P1' | 'P2' | 'P3';
  startsAt: number;
  summary: string | null;
  display: 'firing' | 'acked' | 'silenced' | 'inhibited' | 'resolved';
  via: 'url' | 'id' | 'alertname';
}

// ---- ticking a runbook's steps -----------------------------------------------------------------------------
/** A step run is stored beside the shift checklists' runs, under the template id `runbook:<runbook id>`. */
export const RUNBOOK_TEMPLATE_PREFIX = 'runbook:';

/** One step of a runbook and whether it has been ticked in the run. */
export interface RunbookStepTick {
  stepId: string;
  state: 'todo' | 'done';
  updatedBy: string | null;
  updatedAt: number | null;
}

/** One pass through a runbook's diagnosis and mitigation steps, ticking them off (not a shift checklist). */
export interface RunbookStepRun {
  runId: string;
  runbookId: string;
  /** open while steps are being ticked; recorded once sent to the platform; abandoned when dropped */
  state: 'open' | 'recorded' | 'abandoned';
  startedBy: string;
  startedAt: number;
  finishedAt: number | null;
  steps: RunbookStepTick[];
  /** the outbox id of the checklist.result action, once recorded */
  actionId: string | null;
}

export interface RunbookPage {
  runbook: Runbook;
  /** the file a local runbook was imported from */
  sourcePath: string | null;
  /** alerts firing now that point to this runbook */
  alerts: RunbookAlert[];
  /** the open (or last finished) step run for this runbook */
  stepRun: RunbookStepRun | null;
}
