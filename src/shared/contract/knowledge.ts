/** Runbooks and dashboards slice: search, local folder import, alert ↔ runbook resolution, step runs, cached series. */
import { z } from 'zod';
import { method } from '../rpc';
import type { Dashboard, Series } from '../dashboards';
import {
  RunbookSearchQuerySchema,
  type FolderImportResult,
  type RunbookStepRun,
  type RunbookFacets,
  type RunbookRef,
  type RunbookPage,
  type RunbookSearchResult,
} from '../runbooks';

const Id = z.string().min(1).max(200);

/** Time-range presets of the dashboards view, in ms. 'cached' shows everything the cache holds. */
export const TIME_RANGES = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  cached: null,
} as const;
export type TimeRangePreset = keyof typeof TIME_RANGES;
export const TimeRangePresetSchema = z.enum(Object.keys(TIME_RANGES) as [TimeRangePreset, ...TimeRangePreset[]]);

export interface DashboardView {
  dashboard: Dashboard;
  /** each panel's cached series, cut to the window */
  series: Series[];
  preset: TimeRangePreset;
  /** the window asked for (ends now); null bounds for 'cached' */
  window: { from: number | null; to: number };
  /** what the cache actually holds across panels, so the UI can say a window is only partly covered */
  coverage: { from: number; to: number } | null;
  /** the oldest fetchedAt among the panels' series (null when nothing is cached yet) */
  oldestFetchedAt: number | null;
}

export interface RefreshOutcome {
  /** true when the platform link was asked to resynchronise now */
  requested: boolean;
  /** why it was not (no link in this build, link disabled, …) */
  reason: string | null;
}

export const knowledgeMethods = {
  /** every cached dashboard with its panels (the dashboards view, an alert's related metric) */
  dashboardsList: method<Dashboard[]>()(z.tuple([])),
  /** a cached dashboard's series as stored, uncut (dashboardView cuts them to a time range) */
  dashboardSeries: method<Series[]>()(z.tuple([Id])),
  runbooksSearch: method<RunbookSearchResult>()(z.tuple([RunbookSearchQuerySchema])),
  runbookFacets: method<RunbookFacets>()(z.tuple([])),
  /** the runbook with what the page shows next to it: firing alerts that point to it, the step run */
  runbookPage: method<RunbookPage | null>()(z.tuple([Id])),
  /** imports every .md file under an absolute folder path (a checkout of a runbook repository) */
  runbooksImportFolder: method<FolderImportResult>()(
    z.tuple([z.string().trim().min(1, 'a folder path is required').max(4096)]),
  ),
  /** which runbook an alert opens: by runbook_url annotation (url or id), then by alertname */
  runbookForAlert: method<RunbookRef>()(z.tuple([z.string().min(1).max(128)])),
  /** ticks or unticks a diagnosis/mitigation step, starting a step run on the first tick */
  runbookStepSet: method<RunbookStepRun>()(z.tuple([Id, z.string().min(1).max(200), z.boolean()])),
  /** finishes the step run and sends it to the platform as checklist.result (the wire's one result action) */
  runbookStepRunFinish: method<RunbookStepRun>()(z.tuple([Id, z.string().max(2000).optional()])),
  /** abandons the open run (nothing is sent) */
  runbookStepRunAbandon: method<RunbookStepRun | null>()(z.tuple([Id])),
  dashboardView: method<DashboardView | null>()(z.tuple([Id, TimeRangePresetSchema])),
  /** "refresh now": asks the platform link to resynchronise at once (cached data stays shown meanwhile) */
  knowledgeRefresh: method<RefreshOutcome>()(z.tuple([])),
};

export const knowledgeEvents = {};
