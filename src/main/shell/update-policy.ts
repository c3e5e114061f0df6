/**
 * When an update may be installed: the "not now" rule. Installing restarts the app, and a restart in the
 * middle of an incident costs the on-call their view, their place in a checklist and notifications for a
 * minute. So never while an incident is open (any status but closed) or a P0/P1 alert is firing unacked
 * (neither acked nor silenced) — and never when that cannot be known. Pure, over the core's state.
 */
import type { Core } from '@core';
import type { AlertCounts } from '@shared/contract/alerts';
import type { Incident } from '@shared/incidents';

export interface InstallState {
  counts: AlertCounts;
  openIncidents: Pick<Incident, 'id' | 'status'>[];
}

export type InstallVerdict =
  | { ok: true }
  | { ok: false; reason: 'incident_open'; incidents: number }
  | { ok: false; reason: 'unacked_p0_p1'; alerts: number }
  | { ok: false; reason: 'state_unknown'; detail: string };

export function installVerdict(state: InstallState | { unknown: string }): InstallVerdict {
  if ('unknown' in state) return { ok: false, reason: 'state_unknown', detail: state.unknown };
  const open = state.openIncidents.filter((i) => i.status !== 'closed').length;
  if (open > 0) return { ok: false, reason: 'incident_open', incidents: open };
  const unacked = state.counts.bySeverity.P0.unacked + state.counts.bySeverity.P1.unacked;
  if (unacked > 0) return { ok: false, reason: 'unacked_p0_p1', alerts: unacked };
  return { ok: true };
}

/** Reads the state the rule needs from the core (through the contract) and applies it. */
export async function queryInstallVerdict(core: Pick<Core, 'dispatch'>): Promise<InstallVerdict> {
  const [counts, incidents] = await Promise.all([
    core.dispatch('alertCounts', []),
    core.dispatch('incidentsList', [{ open: true }]),
  ]);
  if (!counts.ok) return installVerdict({ unknown: `alert counts: ${counts.error.message}` });
  if (!incidents.ok) return installVerdict({ unknown: `incidents: ${incidents.error.message}` });
  return installVerdict({ counts: counts.value as AlertCounts, openIncidents: incidents.value as Incident[] });
}
