/** Read access to the cached collections. Later slices add actions and richer queries. */
import { z } from 'zod';
import { method } from '../rpc';
import type { Alert, AlertEvent, Silence } from '../alerts';
import type { Runbook, RunbookSummary } from '../runbooks';
import type { Dashboard, Series } from '../dashboards';
import type { Roster } from '../roster';

const Id = z.string().min(1).max(200);

export const collectionMethods = {
  alertsList: method<Alert[]>()(z.tuple([])),
  alertHistory: method<AlertEvent[]>()(z.tuple([z.string().min(1).max(128)])),
  silencesList: method<Silence[]>()(z.tuple([])),
  runbooksList: method<RunbookSummary[]>()(z.tuple([])),
  runbookGet: method<Runbook | null>()(z.tuple([Id])),
  dashboardsList: method<Dashboard[]>()(z.tuple([])),
  dashboardSeries: method<Series[]>()(z.tuple([Id])),
  rostersList: method<Roster[]>()(z.tuple([])),
};
