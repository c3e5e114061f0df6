/** Names to assign roles from: everyone in the cached rosters, deduplicated and sorted. */
import { useLive } from '@renderer/data/load';
import { vigil } from '@renderer/api';

export function usePeople(): string[] {
  const { data } = useLive(['rosters'], () => vigil().rostersList(), 'people');
  const names = new Set<string>();
  for (const r of data ?? []) for (const p of r.people) names.add(p.name);
  return [...names].sort((a, b) => a.localeCompare(b));
}
