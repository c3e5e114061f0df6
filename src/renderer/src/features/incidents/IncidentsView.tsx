/** Incidents: the open and closed list, declaring through the decision tree, and the selected war-room. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useLive } from '@renderer/data/load';
import { useApp } from '@renderer/stores/app';
import { Badge, EmptyState, InlineError, ListDetail, SeverityBadge, View } from '@renderer/ui';
import { DeclareForm } from './DeclareForm';
import { IncidentDetail } from './IncidentDetail';
import '../checklists/checklists.css';
import { PartBoundary } from '@renderer/components/PartBoundary';
import { useGate } from '../signin/Gate';

function IncidentList({ label, items, selected, onSelect }: { label: string; items: Incident[]; selected: string | null; onSelect: (id: string) => void }) {
  const { t } = useTranslation('incidents');
  return (
    <section className="list-section" aria-label={label}>
      <h2 className="section-title">{label}</h2>
      <ul className="item-list" aria-label={label}>
        {items.map((i) => (
          <li key={i.id}>
            <button type="button" className="item" aria-current={selected === i.id} onClick={() => onSelect(i.id)}>
              <SeverityBadge severity={i.severity} />
              <span className="item-main">
                <span className="item-title">{i.title}</span>
                <span className="meta">
                  {i.id} · {t(`statuses.${i.status}`)}
                </span>
              </span>
              {i.changeFreeze && <Badge tone="danger">{t('freeze.label')}</Badge>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function IncidentsView() {
  const { t } = useTranslation('incidents');
  const focus = useApp((s) => s.focus);
  const [selected, setSelected] = useState<string | null>(null);
  const [declaring, setDeclaring] = useState(false);
  const list = useLive(['incidents'], () => vigil().incidentsList({}), 'list');
  const detail = useLive(['incidents', 'checklists', 'alerts'], () => (selected ? vigil().incidentGet(selected) : Promise.resolve(null)), selected ?? '');

  // Opened from the freeze banner (or another view) with an incident to show.
  useEffect(() => {
    if (focus?.view === 'incidents') {
      setSelected(focus.id);
      setDeclaring(false);
    }
  }, [focus]);

  const gate = useGate('incident.declare');
  const all = list.data ?? [];
  const open = all.filter((i) => i.status !== 'closed');
  const closed = all.filter((i) => i.status === 'closed');
  const pick = (id: string) => {
    setSelected(id);
    setDeclaring(false);
  };
  const declare = (
    <>
      <button type="button" className="primary" {...gate.props} onClick={() => setDeclaring(true)}>
        {t('declare.open')}
      </button>
      {gate.note}
    </>
  );
  return (
    <View title={t('title')} actions={declare}>
      <InlineError error={list.error} />
      <ListDetail
        listLabel={t('list.label')}
        list={
          <>
            {open.length > 0 && <IncidentList label={t('list.open')} items={open} selected={selected} onSelect={pick} />}
            {closed.length > 0 && <IncidentList label={t('list.closed')} items={closed} selected={selected} onSelect={pick} />}
            {list.data && all.length === 0 && (
              <EmptyState
                title={t('empty')}
                body={t('emptyHint')}
                action={
                  <button type="button" {...gate.props} onClick={() => setDeclaring(true)}>
                    {t('declare.first')}
                  </button>
                }
              />
            )}
          </>
        }
        detail={
          <>
            {declaring ? (
              <DeclareForm onCancel={() => setDeclaring(false)} onDone={pick} />
            ) : detail.data ? (
              <PartBoundary part="incident detail" resetKey={detail.data.incident.id} onClose={() => setSelected(null)}>
                <IncidentDetail key={detail.data.incident.id} detail={detail.data} />
              </PartBoundary>
            ) : (
              all.length > 0 && <EmptyState title={t('select')} />
            )}
            <InlineError error={detail.error} />
          </>
        }
      />
    </View>
  );
}
