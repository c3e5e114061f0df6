/** What the sync client shows: its status (with the moment it began) and its counters. */
import type { LinkStats } from '@shared/contract/link';
import type { Clock } from '@node/clock';

export type ClientStatus = 'online' | 'connecting' | 'offline' | 'auth_failed' | 'degraded' | 'disabled';

export interface ClientView {
  status: ClientStatus;
  since: number;
  url: string | null;
  lastError: string | null;
  lastSyncAt: number | null;
  snapshot: { received: number; total: number } | null;
  operator: string | null;
}

export function createClientView(clock: Clock, onChange: () => void) {
  const view: ClientView = {
    status: 'connecting',
    since: clock.now(),
    url: null,
    lastError: null,
    lastSyncAt: null,
    snapshot: null,
    operator: null,
  };
  const stats: LinkStats = {
    framesReceived: 0,
    eventsApplied: 0,
    duplicates: 0,
    gaps: 0,
    unknownKinds: 0,
    rejectedEvents: 0,
    badFrames: {},
    serverErrors: 0,
    connects: 0,
    snapshots: 0,
    lastSnapshotStoreMs: null,
  };
  return {
    view,
    stats,
    /** something in the view changed: tell the owner */
    changed: onChange,
    setStatus(status: ClientStatus, error?: string | null): void {
      // An outage keeps the moment it began while reconnect attempts come and go.
      const keepSince = status === view.status || (status === 'connecting' && view.status === 'offline');
      if (!keepSince) view.since = clock.now();
      if (!(status === 'connecting' && view.status === 'offline')) view.status = status;
      if (error !== undefined) view.lastError = error;
      onChange();
    },
    /** one more inbound frame refused with `code` */
    countBad(code: string): void {
      stats.badFrames[code] = (stats.badFrames[code] ?? 0) + 1;
    },
    statsCopy: (): LinkStats => ({ ...stats, badFrames: { ...stats.badFrames } }),
  };
}
export type ClientViewState = ReturnType<typeof createClientView>;
