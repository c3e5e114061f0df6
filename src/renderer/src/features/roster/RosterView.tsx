import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { errorText } from '@renderer/data/load';
import { Badge, confirm, EmptyState, InlineError, Select, View } from '@renderer/ui';
import { Escalations } from './Escalations';
import { UndeliveredPages } from './UndeliveredPages';
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
  const focus = useApp((s) => s.focus);
  const zone = useViewZone();
  const [selected, setSelected] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  useEffect(bindRosters, []);
  // "All escalations under way" from an alert's details
  useEffect(() => {
    if (focus?.view === 'roster' && focus.id === 'escalations') document.getElementById('escalations')?.closest('section')?.scrollIntoView({ block: 'start' });
  }, [focus]);

  const current = items?.find((r) => r.roster.id === selected) ?? items?.[0] ?? null;
  const onCall = useMemo(() => (current ? onCallNow(current, now) : []), [current, now]);

  const remove = async () => {
    if (!current) return;
    const yes = await confirm({ title: t('import.removeConfirm', { name: current.roster.name }), body: t('import.removeBody'), confirm: t('import.removeYes'), cancel: t('import.removeNo'), danger: true });
    if (!yes) return;
    try {
      await vigil().rosterRemove(current.roster.id);
      setSelected(null);
    } catch (err) {
      toast({ level: 'error', title: errorText(err) });
    }
  };

  const meta = current && (
    <>
      <span>{t('asOf', { name: current.roster.name, age: formatAge(t, current.roster.fetchedAt, now) })}</span>
      <Badge tone={current.roster.origin === 'local' ? 'warn' : 'ok'}>{current.roster.origin === 'local' ? t('fromHere') : t('fromPlatform')}</Badge>
    </>
  );
  const actions = (
    <>
      {items && items.length > 1 && (
        <Select
          aria-label={t('rosterSelect')}
          value={current?.roster.id ?? null}
          onChange={setSelected}
          options={items.map((r) => ({ value: r.roster.id, label: r.roster.name }))}
        />
      )}
      {current?.roster.origin === 'local' && (
        <button type="button" onClick={() => void remove()}>
          {t('import.remove')}
        </button>
      )}
      <button type="button" onClick={() => setImporting((v) => !v)} aria-expanded={importing}>
        {t('import.open')}
      </button>
    </>
  );

  return (
    <View title={t('title')} meta={meta} actions={actions}>
      {importing && <ImportPanel rosters={items ?? []} onImported={setSelected} onClose={() => setImporting(false)} />}
      <InlineError error={error} />
      {items && items.length === 0 && (
        <EmptyState
          title={t('emptyTitle')}
          body={t('empty')}
          action={
            !importing && (
              <button type="button" onClick={() => setImporting(true)}>
                {t('import.first')}
              </button>
            )
          }
        />
      )}
      {current && (current.error || !current.doc) && <InlineError error={t('invalid', { reason: current.error })} />}
      {current?.doc && (
        <>
          <OnCallPanel roster={current} rows={onCall} now={now} zone={zone} />
          <Escalations rosters={items ?? []} />
          <UndeliveredPages />
          <PeopleTable roster={current} onCall={onCall} />
          <RotationCalendar roster={current} now={now} zone={zone} />
          <EscalationLadders roster={current} onCall={onCall} />
        </>
      )}
    </View>
  );
}
