/**
 * The roster the gateway pages from, as the runner reads it: each policy with its level offsets, who a level
 * reaches at an instant (rotations through their overrides), whether the policy's night window is on, and
 * which channels a level pages on.
 */
import { DateTime } from 'luxon';
import type { Channel } from '@shared/paging';
import { levelOffsets } from '@shared/policy-match';
import { onCallAt } from '@shared/rotation';
import type { EscalationLevel, Policy, RosterDocument, RosterPerson } from '@shared/roster';

export interface PagingRoster {
  id: string;
  name: string;
  doc: RosterDocument;
}

export interface PolicyRef {
  policy: Policy;
  offsets: number[];
}

export interface PagingIndex {
  roster: PagingRoster;
  refs: PolicyRef[];
  people: Map<string, RosterPerson>;
  channels: Map<string, Channel>;
}

export function indexRoster(roster: PagingRoster): PagingIndex {
  return {
    roster,
    refs: roster.doc.policies.map((policy) => ({ policy, offsets: levelOffsets(policy) })),
    people: new Map(roster.doc.people.map((p) => [p.id, p])),
    channels: new Map(roster.doc.channels.map((c) => [c.id, c])),
  };
}

/** who a level reaches at `at`, and the rotations it names with nobody on call */
export function reachOf(ix: PagingIndex, level: EscalationLevel, at: number): { people: RosterPerson[]; unstaffed: string[] } {
  const people: RosterPerson[] = [];
  const unstaffed: string[] = [];
  for (const t of level.targets) {
    let id: string | null;
    if ('person' in t) id = t.person;
    else {
      const rot = ix.roster.doc.rotations.find((r) => r.id === t.rotation);
      id = rot ? onCallAt(rot, ix.roster.doc.overrides, at, 1).now.personId : null;
      if (!id) unstaffed.push(rot?.name ?? t.rotation);
    }
    const p = id ? ix.people.get(id) : undefined;
    if (p && !people.includes(p)) people.push(p);
  }
  return { people, unstaffed };
}

/** whether `at` falls in the policy's night window (which may run past midnight) */
export function isNight(policy: Pick<Policy, 'night'>, at: number): boolean {
  const n = policy.night;
  if (!n) return false;
  const t = DateTime.fromMillis(at, { zone: n.timeZone }).toFormat('HH:mm');
  return n.from <= n.to ? t >= n.from && t < n.to : t >= n.from || t < n.to;
}

export interface ChannelUse {
  channel: Channel;
  /** the one person an individual message is for; null: one message for the level */
  person: RosterPerson | null;
}

/**
 * The messages a level sends: its channels (the night ones at night), the channels of the teams whose
 * rotations it targets, and each reached person's own channels. A webhook (SMS, voice) is individual: one
 * message per person reached; group robots get one message naming everyone.
 */
export function channelUses(ix: PagingIndex, level: EscalationLevel, night: boolean, people: readonly RosterPerson[]): ChannelUse[] {
  const group = new Set<string>(night && level.nightChannels ? level.nightChannels : level.channels);
  for (const t of level.targets) {
    if (!('rotation' in t)) continue;
    const team = ix.roster.doc.rotations.find((r) => r.id === t.rotation)?.team;
    for (const c of ix.roster.doc.teams.find((x) => x.id === team)?.channels ?? []) group.add(c);
  }
  return channelUsesOf(ix, group, people);
}

/** group channel ids and the people reached as messages: one per group robot, one per person on a webhook and on each person's own channels */
export function channelUsesOf(ix: PagingIndex, group: Iterable<string>, people: readonly RosterPerson[]): ChannelUse[] {
  const uses: ChannelUse[] = [];
  const seen = new Set<string>();
  const add = (channel: Channel | undefined, person: RosterPerson | null) => {
    if (!channel) return;
    const key = `${channel.id}/${person?.id ?? '-'}`;
    if (seen.has(key)) return;
    seen.add(key);
    uses.push({ channel, person });
  };
  for (const id of group) {
    const channel = ix.channels.get(id);
    if (channel?.type === 'webhook') people.forEach((p) => add(channel, p));
    else add(channel, null);
  }
  for (const p of people) for (const id of p.channels) add(ix.channels.get(id), p);
  return uses;
}
