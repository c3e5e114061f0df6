/**
 * The escalation policies of every stored roster, as ladders of offsets, and who each level reaches
 * at a given time (its people, and its rotations with nobody on call). Rebuilt only when the rosters
 * change; who a level reaches is worked out once per instant, as many alerts share a policy.
 */
import { onCallAt } from '@shared/rotation';
import type { Policy, RosterPerson } from '@shared/roster';
import type { Reached } from './messages';
import type { LoadedRoster, RosterStore } from './store';

const MINUTE = 60_000;

export interface PolicyRef {
  roster: LoadedRoster;
  policy: Policy;
  /** ms from the ladder's start to each level (cumulative afterMinutes) */
  offsets: number[];
}

/** Every policy of the rosters, with each level's offset from the ladder's start. */
export function policyRefs(rosters: readonly LoadedRoster[]): PolicyRef[] {
  return rosters.flatMap((roster) =>
    roster.doc.policies.map((policy) => {
      let acc = 0;
      return { roster, policy, offsets: policy.levels.map((l) => (acc += l.afterMinutes * MINUTE)) };
    }),
  );
}

/** Who level `level` (1-based) of a policy reaches at `at`: its people, and its rotations with nobody on call. */
export function computeReach(ref: PolicyRef, level: number, at: number): Reached {
  const people: RosterPerson[] = [];
  const unstaffed: string[] = [];
  for (const t of ref.policy.levels[level - 1]?.targets ?? []) {
    let id: string | null;
    if ('person' in t) id = t.person;
    else {
      const rot = ref.roster.doc.rotations.find((r) => r.id === t.rotation);
      id = rot ? onCallAt(rot, ref.roster.doc.overrides, at, 1).now.personId : null;
      if (!id) unstaffed.push(rot?.name ?? t.rotation);
    }
    const p = id ? ref.roster.people.get(id) : undefined;
    if (p && !people.includes(p)) people.push(p);
  }
  return { people, unstaffed };
}

export function createPolicyIndex(rosters: Pick<RosterStore, 'all'>) {
  let refsFor: LoadedRoster[] | null = null;
  let refs: PolicyRef[] = [];
  let memo = { at: NaN, map: new Map<string, Reached>() };

  return {
    /** the policies of the rosters stored now (the same array while the rosters do not change) */
    policies(): PolicyRef[] {
      const all = rosters.all();
      if (all !== refsFor) {
        refsFor = all;
        refs = policyRefs(all);
      }
      return refs;
    },
    /** computeReach, remembered for the instant `at` */
    reach(ref: PolicyRef, level: number, at: number): Reached {
      if (memo.at !== at) memo = { at, map: new Map() };
      const k = `${ref.roster.id}\u0000${ref.policy.id}\u0000${level}`;
      let r = memo.map.get(k);
      if (!r) memo.map.set(k, (r = computeReach(ref, level, at)));
      return r;
    },
  };
}
export type PolicyIndex = ReturnType<typeof createPolicyIndex>;
