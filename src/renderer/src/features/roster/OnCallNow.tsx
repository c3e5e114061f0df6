import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp } from '@renderer/stores/app';
import { bindRosters, onCallNow, useRosters } from './store';

/**
 * The status bar's "On call: Mei Lin (Platform SRE) · Fang Qi (Ozon channel)": the first line of every
 * team in the cached rosters, computed locally so it stays right offline. Activating it opens the roster.
 */
export function OnCallNow() {
  const { t } = useTranslation('roster');
  const items = useRosters((s) => s.items);
  const now = useApp((s) => s.now);
  const go = useApp((s) => s.go);
  useEffect(bindRosters, []);

  const entries = useMemo(() => {
    const out: string[] = [];
    for (const r of items ?? []) {
      const firstLine = new Map<string, string>();
      for (const row of onCallNow(r, now).sort((a, b) => a.rotation.line - b.rotation.line)) {
        if (firstLine.has(row.rotation.team) || !row.now.personId) continue;
        const name = r.people.get(row.now.personId)?.name ?? row.now.personId;
        firstLine.set(row.rotation.team, t('status.entry', { name, team: row.teamName }));
      }
      out.push(...firstLine.values());
    }
    return out;
  }, [items, now, t]);

  if (!items || items.length === 0) return null;
  const text = entries.length ? entries.join(' · ') : t('status.none');
  return (
    <button
      type="button"
      className="roster-status"
      aria-label={t('status.open', { list: entries.join(', ') || '—' })}
      title={text}
      onClick={() => go('roster')}
    >
      {entries.length ? `${t('status.prefix')} ${text}` : text}
    </button>
  );
}
