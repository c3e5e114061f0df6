/**
 * Acks that last as long as the problem (what kthxbye does beside Alertmanager, done here once per cluster):
 * an ACK silence that is about to end while an alert it silences still fires is extended; once nothing it
 * silences fires any more it is left to lapse.
 *
 * planAckExtensions is pure: given the cluster's merged listing, the time, the settings and what was
 * extended before, it says which silences to extend and to when. It never extends twice for one window:
 * a silence extended to T whose listing still shows an earlier end (a member that has not heard of the
 * extension yet) is left alone, and one being extended right now is skipped.
 */
import { compileMatchers } from '@shared/matchers';
import type { AckExtensionConfig } from '../config';
import type { AckExtension, AckLedger } from '../store';
import { ackOperator } from './alert-state';
import type { AmAlert, AmSilence, PostableSilence } from './alertmanager-api';

const time = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
};

export interface AckPlanInput {
  silences: readonly AmSilence[];
  alerts: readonly AmAlert[];
  now: number;
  config: AckExtensionConfig;
  /** Alertmanager silence id → the last extension recorded for it */
  extended: ReadonlyMap<string, AckExtension>;
  /** silences whose extension is under way */
  inFlight?: ReadonlySet<string>;
}

export interface AckPlanItem {
  silence: AmSilence;
  /** the new end, in ms */
  endsAt: number;
}

const firing = (a: AmAlert, now: number) => {
  const end = time(a.endsAt);
  return end === 0 || end > now;
};

export function planAckExtensions(i: AckPlanInput): AckPlanItem[] {
  if (!i.config.enabled) return [];
  const live = i.alerts.filter((a) => firing(a, i.now));
  const out: AckPlanItem[] = [];
  for (const s of i.silences) {
    if (s.status.state !== 'active' || ackOperator(s.comment, s.createdBy) === null) continue;
    if (i.inFlight?.has(s.id)) continue;
    const endsAt = time(s.endsAt);
    if (endsAt - i.now > i.config.extendIfExpiringInMs) continue;
    // extended already past what this listing shows: the answering member has not caught up yet
    const prev = i.extended.get(s.id);
    if (prev && prev.extendedTo > endsAt) continue;
    const matches = compileMatchers(s.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true })));
    if (!live.some((a) => matches(a.labels))) continue; // nothing it silences fires: let it lapse
    let to = i.now + i.config.extendByMs;
    if (i.config.maxDurationMs > 0) to = Math.min(to, time(s.startsAt) + i.config.maxDurationMs);
    if (to <= endsAt) continue;
    out.push({ silence: s, endsAt: to });
  }
  return out;
}

/** The silence as it is, ending later: same id, matchers, start, author and comment (updated in place). */
export function extendedSilence(s: AmSilence, endsAt: number): PostableSilence & { id: string } {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
    // Alertmanager updates an active silence in place only when its start is unchanged: send it back verbatim
    startsAt: s.startsAt,
    endsAt: new Date(endsAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

/** An AckLedger in memory, for a source run without a gateway store (tests, benchmarks). */
export function memoryAckLedger(): AckLedger {
  const rows = new Map<string, AckExtension>();
  const key = (cluster: string, id: string) => `${cluster}\u0000${id}`;
  return {
    ackExtensions: (cluster) => [...rows.values()].filter((r) => r.cluster === cluster),
    recordAckExtension(e) {
      const prev = rows.get(key(e.cluster, e.fromId));
      rows.delete(key(e.cluster, e.fromId));
      const r: AckExtension = { cluster: e.cluster, silenceId: e.toId, extensions: (prev?.extensions ?? 0) + 1, extendedTo: e.extendedTo, at: e.at };
      rows.set(key(e.cluster, e.toId), r);
      return r;
    },
    forgetAckExtensions(cluster, ids) {
      for (const id of ids) rows.delete(key(cluster, id));
    },
  };
}
