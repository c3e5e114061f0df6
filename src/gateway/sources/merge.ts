/**
 * One cluster's view from its members' listings. HA members receive the same alerts from Prometheus and
 * gossip silences, but each answers from its own state, which lags its peers by a gossip round or more:
 *
 * - silences are one per id; when members disagree, the newest `updatedAt` wins (an expiry or an extension
 *   on one member beats the stale copy on another);
 * - alerts are one per fingerprint: the newest `updatedAt` gives labels and annotations, `startsAt` is the
 *   earliest, `endsAt` the latest (an alert is firing while any member still has it firing);
 * - `silencedBy` is the union of what the members say, kept to silences active in the merged view (a member
 *   that has not heard of an expiry yet does not keep the alert silenced); `inhibitedBy` is the union.
 *
 * Pure: the cluster hands in what its reachable members answered.
 */
import type { AmAlert, AmSilence } from './alertmanager-api';

export interface MemberListing {
  member: string;
  alerts: readonly AmAlert[];
  silences: readonly AmSilence[];
}

export interface MergedListing {
  alerts: AmAlert[];
  silences: AmSilence[];
  /** silence id → the members that list it (an update must go to one that knows the id) */
  silenceMembers: Map<string, string[]>;
}

const time = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
};

const newer = <T extends { updatedAt?: string }>(a: T, b: T): boolean => time(a.updatedAt) > time(b.updatedAt);

function mergeSilences(listings: readonly MemberListing[]) {
  const byId = new Map<string, AmSilence>();
  const members = new Map<string, string[]>();
  for (const l of listings) {
    for (const s of l.silences) {
      const cur = byId.get(s.id);
      if (!cur || newer(s, cur)) byId.set(s.id, s);
      const m = members.get(s.id);
      if (m) m.push(l.member);
      else members.set(s.id, [l.member]);
    }
  }
  return { byId, members };
}

export function mergeListings(listings: readonly MemberListing[]): MergedListing {
  if (listings.length === 1) {
    const [l] = listings;
    return { alerts: [...l.alerts], silences: [...l.silences], silenceMembers: new Map(l.silences.map((s) => [s.id, [l.member]])) };
  }
  const { byId, members } = mergeSilences(listings);
  const active = (id: string) => byId.get(id)?.status.state === 'active';

  const groups = new Map<string, AmAlert[]>();
  for (const l of listings)
    for (const a of l.alerts) {
      const g = groups.get(a.fingerprint);
      if (g) g.push(a);
      else groups.set(a.fingerprint, [a]);
    }

  const alerts: AmAlert[] = [];
  for (const copies of groups.values()) {
    if (copies.length === 1) {
      const [a] = copies;
      const silencedBy = (a.status.silencedBy ?? []).filter(active);
      alerts.push(silencedBy.length === (a.status.silencedBy ?? []).length ? a : { ...a, status: { ...a.status, silencedBy } });
      continue;
    }
    let base = copies[0];
    for (const c of copies) if (newer(c, base)) base = c;
    const startsAt = copies.reduce((min, c) => (time(c.startsAt) < time(min) ? c.startsAt : min), base.startsAt);
    const endsAt = copies.reduce((max, c) => (time(c.endsAt) > time(max) ? c.endsAt : max), base.endsAt);
    const silencedBy = [...new Set(copies.flatMap((c) => c.status.silencedBy ?? []))].filter(active).sort();
    const inhibitedBy = [...new Set(copies.flatMap((c) => c.status.inhibitedBy ?? []))].sort();
    alerts.push({ ...base, startsAt, endsAt, status: { ...base.status, silencedBy, inhibitedBy } });
  }
  return { alerts, silences: [...byId.values()], silenceMembers: members };
}
