/**
 * One cluster as a feed of events: its own poll loop reads the members (cluster.ts), turns the merged
 * listing into wire ids and events (AlertTracker), then does the cluster's upkeep — extending the acks of
 * alerts that still fire (ack-extender.ts) and expiring a duplicate of a tagged silence should a partition
 * ever have let one through. Clusters poll independently: a slow one never holds up the others.
 */
import type { Clock } from '@node/clock';
import type { Silence } from '@shared/alerts';
import type { SeverityMap } from '@shared/domain';
import type { ClusterStatus } from '@shared/protocol';
import type { AckExtensionConfig } from '../config';
import type { SourceEvent } from '../source';
import type { AckExtension, AckLedger } from '../store';
import { extendedSilence, planAckExtensions } from './ack-extender';
import { AlertTracker, splitAuthor } from './alert-state';
import type { AmAlert, AmSilence } from './alertmanager-api';
import type { Cluster, ClusterListing } from './cluster';
import { createPollLoop } from './poll-loop';
import type { UpstreamError } from './upstream';

export interface ClusterFeedOptions {
  cluster: Cluster;
  clock: Clock;
  pollIntervalMs: number;
  resolvedRetentionMs: number;
  ackExtension: AckExtensionConfig;
  /** the cluster's severity words → P0–P3 (before the built-in mapping) */
  severityMap?: SeverityMap;
  ledger: AckLedger;
  /** set `cluster` on alerts and silences (not for the one-cluster shorthand) */
  labelAlerts: boolean;
  emit(events: SourceEvent[]): void;
  /** the cluster's status may have changed */
  statusChanged(): void;
  pollLatency?(ms: number): void;
  warn(message: string): void;
}

export interface ClusterFeed {
  readonly cluster: Cluster;
  readonly tracker: AlertTracker;
  /** the last merged listing (Alertmanager ids), for actions that need what members know */
  last(): ClusterListing | null;
  /** starts from what the gateway stored: its alerts and silences, and the ack extensions recorded */
  seed(known: { alerts: unknown[]; silences: unknown[] }): void;
  start(): void;
  refresh(): Promise<void>;
  stop(): Promise<void>;
  status(): ClusterStatus;
}

/** The listing with wire ids: fingerprints, silence ids and the ids alerts refer to, prefixed when the cluster does. */
function wireListing(c: Cluster, l: ClusterListing): { alerts: AmAlert[]; silences: AmSilence[] } {
  if (c.plainIds) return l;
  return {
    alerts: l.alerts.map((a) => ({
      ...a,
      fingerprint: c.idOf(a.fingerprint),
      status: { ...a.status, silencedBy: (a.status.silencedBy ?? []).map(c.idOf), inhibitedBy: (a.status.inhibitedBy ?? []).map(c.idOf) },
    })),
    silences: l.silences.map((s) => ({ ...s, id: c.idOf(s.id) })),
  };
}

/** Tagged silences of one action beyond the first (non-expired), which a healed partition can leave behind. */
function duplicates(silences: readonly AmSilence[]): AmSilence[] {
  const byAction = new Map<string, AmSilence[]>();
  for (const s of silences) {
    const id = s.status.state === 'expired' ? null : splitAuthor(s.createdBy).actionId;
    if (!id) continue;
    const g = byAction.get(id);
    if (g) g.push(s);
    else byAction.set(id, [s]);
  }
  const extra: AmSilence[] = [];
  for (const g of byAction.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => Date.parse(a.updatedAt ?? '') - Date.parse(b.updatedAt ?? '') || a.id.localeCompare(b.id));
    extra.push(...g.slice(1));
  }
  return extra;
}

export function createClusterFeed(o: ClusterFeedOptions): ClusterFeed {
  const { cluster, clock } = o;
  const tracker = new AlertTracker(o.resolvedRetentionMs);
  const extended = new Map<string, AckExtension>();
  const inFlight = new Set<string>();
  let last: ClusterListing | null = null;
  let lastStatus = '';

  const noteStatus = () => {
    const key = JSON.stringify(cluster.status());
    if (key === lastStatus) return;
    lastStatus = key;
    o.statusChanged();
  };

  const listingContext = {
    cluster: o.labelAlerts ? cluster.name : undefined,
    autoExtend: o.ackExtension.enabled,
    severities: o.severityMap,
    extensionsOf: (id: string) => extended.get(cluster.amIdOf(id) ?? id)?.extensions ?? 0,
  };

  /** extends what the plan says; true when anything changed upstream */
  async function keepAcks(l: ClusterListing): Promise<boolean> {
    const plan = planAckExtensions({ silences: l.silences, alerts: l.alerts, now: clock.now(), config: o.ackExtension, extended, inFlight });
    let changed = false;
    await Promise.all(
      plan.map(async ({ silence, endsAt }) => {
        inFlight.add(silence.id);
        try {
          const id = await cluster.update(extendedSilence(silence, endsAt), l.silenceMembers.get(silence.id));
          const rec = o.ledger.recordAckExtension({ cluster: cluster.name, fromId: silence.id, toId: id, extendedTo: endsAt, at: clock.now() });
          extended.delete(silence.id);
          extended.set(id, rec);
          changed = true;
        } catch (e) {
          o.warn(`cluster ${cluster.name}: extending ack silence ${silence.id} failed: ${(e as UpstreamError).message}`);
        } finally {
          inFlight.delete(silence.id);
        }
      }),
    );
    // records of silences no longer active: the ack is over
    const active = new Set(l.silences.filter((s) => s.status.state !== 'expired').map((s) => s.id));
    const gone = [...extended.keys()].filter((id) => !active.has(id) && !inFlight.has(id));
    if (gone.length > 0) {
      o.ledger.forgetAckExtensions(cluster.name, gone);
      for (const id of gone) extended.delete(id);
    }
    return changed;
  }

  async function dropDuplicates(l: ClusterListing): Promise<boolean> {
    const extra = duplicates(l.silences);
    for (const s of extra) {
      o.warn(`cluster ${cluster.name}: silence ${s.id} duplicates another of action ${splitAuthor(s.createdBy).actionId}; expiring it`);
      await cluster.expire(s.id).catch((e: UpstreamError) => o.warn(`expiring duplicate silence ${s.id} failed: ${e.message}`));
    }
    return extra.length > 0;
  }

  const loop = createPollLoop(clock, o.pollIntervalMs, async () => {
    const t0 = clock.now();
    let l: ClusterListing;
    try {
      l = await cluster.read();
    } catch {
      noteStatus();
      return;
    }
    o.pollLatency?.(clock.now() - t0);
    if (loop.stopped()) return;
    last = l;
    const wire = wireListing(cluster, l);
    const events = tracker.update(wire.alerts, wire.silences, clock.now(), listingContext);
    if (events.length > 0) o.emit(events);
    noteStatus();
    const changed = (await keepAcks(l)) || (await dropDuplicates(l));
    if (changed && !loop.stopped()) void loop.refresh();
  });

  return {
    cluster,
    tracker,
    last: () => last,
    seed(known) {
      tracker.seed(known);
      extended.clear();
      for (const e of o.ledger.ackExtensions(cluster.name)) extended.set(e.silenceId, e);
    },
    start: () => loop.start(),
    refresh: loop.refresh,
    stop: () => loop.stop(),
    status: () => cluster.status(),
  };
}

/** Which cluster a stored alert or silence belongs to, by its `cluster` field (null: none named). */
export const clusterOfKnown = (raw: unknown): string | null => {
  const c = (raw as Partial<Silence> | null)?.cluster;
  return typeof c === 'string' ? c : null;
};
