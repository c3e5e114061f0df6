import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { View } from '@renderer/ui';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { EscalationLadders } from './EscalationLadders';
import { ImportPanel } from './ImportPanel';
import { OnCallPanel } from './OnCallPanel';
import { PeopleTable } from './PeopleTable';
import { RotationCalendar } from './RotationCalendar';
import { bindRosters, onCallNow, useRosters } from './store';
import { useViewZone } from './time';
import './roster.css';

export function RosterView() {
  const { t } = useTranslation('roster');
  const { items, error } = useRosters();
  const now = useApp((s) => s.now);
  const toast = useApp((s) => s.toast);
  const zone = useViewZone();
  const [selected, setSelected] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  useEffect(bindRosters, []);

  const current = items?.find((r) => r.roster.id === selected) ?? items?.[0] ?? null;
  const onCall = useMemo(() => (current ? onCallNow(current, now) : []), [current, now]);

  const remove = async () => {
    if (!current || !window.confirm(t('import.removeConfirm', { name: current.roster.name }))) return;
    try {
      await vigil().rosterRemove(current.roster.id);
      setSelected(null);
    } catch (err) {
      toast({ level: 'error', title: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <View
      title={t('title')}
      actions={
        <button type="button" onClick={() => setImporting((v) => !v)} aria-expanded={importing}>
          {t('import.open')}
        </button>
      }
    >
      {importing && <ImportPanel currentRosterId={current?.roster.id ?? null} onImported={setSelected} onClose={() => setImporting(false)} />}
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p className="empty">{t('empty')}</p>}
      {items && items.length > 1 && (
        <label>
          {t('rosterSelect')}{' '}
          <select value={current?.roster.id ?? ''} onChange={(e) => setSelected(e.target.value)}>
            {items.map((r) => (
              <option key={r.roster.id} value={r.roster.id}>
                {r.roster.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {current && (
        <>
          <p className="muted roster-meta">
            {t('asOf', { name: current.roster.name, age: formatAge(t, current.roster.fetchedAt, now) })}{' '}
            {current.roster.origin === 'local' ? (
              <button type="button" onClick={() => void remove()}>
                {t('import.remove')}
              </button>
            ) : (
              <span>{t('fromPlatform')}</span>
            )}
          </p>
          {current.error || !current.doc ? (
            <p role="alert">{t('invalid', { reason: current.error })}</p>
          ) : (
            <>
              <OnCallPanel roster={current} rows={onCall} now={now} zone={zone} />
              <PeopleTable roster={current} onCall={onCall} />
              <RotationCalendar roster={current} now={now} zone={zone} />
              <EscalationLadders roster={current} onCall={onCall} />
            </>
          )}
        </>
      )}
    </View>
  );
}
