/**
 * How often one client may ask for a full snapshot: a token bucket per client id (the id a console keeps
 * across restarts), `burst` snapshots at once, then one more every `everyMs`. A snapshot is the heaviest
 * thing the gateway does for a client (every entity, in chunks); a console stuck in a loop — a full disk
 * that never stores the snapshot, a bug — must not make it do that several times a second. The events
 * after a cursor are never limited. Time from the injected clock; memory bounded by `maxClients`.
 */
import type { Clock } from '@node/clock';

export interface SnapshotLimitOptions {
  clock: Pick<Clock, 'now'>;
  /** snapshots a client may take at once (default 4) */
  burst?: number;
  /** one more snapshot is allowed this often (default 30 s) */
  everyMs?: number;
  /** clients remembered at most; the least recently seen is forgotten first (default 10 000) */
  maxClients?: number;
}

export interface SnapshotLimit {
  /** takes one snapshot for `clientId`: 0 when allowed now, else the ms until the next one is */
  take(clientId: string): number;
}

export function createSnapshotLimit(o: SnapshotLimitOptions): SnapshotLimit {
  const burst = o.burst ?? 4;
  const everyMs = o.everyMs ?? 30_000;
  const maxClients = o.maxClients ?? 10_000;
  /** per client: tokens left and when they were counted (Map order = least recently seen first) */
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(clientId) {
      const now = o.clock.now();
      const b = buckets.get(clientId) ?? { tokens: burst, at: now };
      buckets.delete(clientId);
      b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.at) / everyMs);
      b.at = now;
      buckets.set(clientId, b);
      if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) * everyMs);
    },
  };
}
