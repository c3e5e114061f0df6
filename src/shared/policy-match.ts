/**
 * Which escalation policy covers an alert and which level of its ladder is due: one rule for the console's
 * offline ladder (src/main/core/roster/escalation.ts) and the gateway's (src/gateway/paging/runner.ts).
 */
import { atLeast, severityRank, type Severity } from './domain';
import type { Policy } from './roster';

/**
 * The policy for a subject: among the policies whose severity threshold it meets and whose team and
 * service lists (when not empty) contain its `team` and `service` labels, the most specific one wins
 * (team and service > team > service > catch-all); then the strictest threshold (a P1 policy beats a
 * P2 policy for a P1 alert); then roster name and document order.
 */
export function matchPolicy<R extends { policy: Pick<Policy, 'match'> }>(
  refs: readonly R[],
  subject: { severity: Severity; labels: Record<string, string | undefined> },
): R | null {
  let best: R | null = null;
  let bestScore = -Infinity;
  for (const ref of refs) {
    const m = ref.policy.match;
    if (!atLeast(subject.severity, m.severity)) continue;
    if (m.teams.length && !m.teams.includes(subject.labels.team ?? '')) continue;
    if (m.services.length && !m.services.includes(subject.labels.service ?? '')) continue;
    const score = (m.teams.length ? 20 : 0) + (m.services.length ? 10 : 0) - severityRank(m.severity);
    if (score > bestScore) {
      best = ref;
      bestScore = score;
    }
  }
  return best;
}

/** ms from a ladder's start to each level (cumulative afterMinutes) */
export function levelOffsets(policy: Pick<Policy, 'levels'>): number[] {
  let acc = 0;
  return policy.levels.map((l) => (acc += l.afterMinutes * 60_000));
}

/** The highest level whose time has come (0 when even the first level waits). */
export function dueLevel(offsets: readonly number[], startedAt: number, now: number): number {
  let level = 0;
  offsets.forEach((off, i) => {
    if (startedAt + off <= now) level = i + 1;
  });
  return level;
}
