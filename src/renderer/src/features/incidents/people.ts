/** Names to assign roles from: everyone in the cached rosters, deduplicated and sorted. */
import { useLive } from '../checklists/live';
import { vigil } from '../../api';

export function usePeople(): string[] {
  const { data } = useLive(['rosters'], () => vigil().rostersList(), 'people');
  const names = new Set<string>();
  for (const r of data ?? []) for (const p of r.people) names.add(p.name);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** Copies text; falls back to a hidden textarea where the async clipboard is not allowed. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    if (!ok) throw new Error('copy refused');
  }
}
