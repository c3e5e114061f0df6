/**
 * Names to assign roles from: the people the platform knows (from its `users` and SSO sign-ins) and
 * everyone in the cached rosters, one per name, sorted — the core's peopleKnown. Roles go only to them.
 */
import { useLive } from '@renderer/data/load';
import { vigil } from '@renderer/api';

export function usePeople(): string[] {
  const { data } = useLive(['rosters'], () => vigil().peopleKnown(), 'people');
  return (data ?? []).map((p) => p.name);
}
