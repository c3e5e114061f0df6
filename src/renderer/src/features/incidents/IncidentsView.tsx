/** Incidents: the open and closed list, declaring through the decision tree, and the selected war-room. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { ViewFrame } from '@renderer/components/CollectionView';
import { useApp } from '@renderer/stores/app';
import { useLive } from '../checklists/live';
import { DeclareForm } from './DeclareForm';
import { IncidentDetail } from './IncidentDetail';
import '../checklists/checklists.css';
import { PartBoundary } from '@renderer/components/PartBoundary';

function IncidentList({ label, items, selected, onSelect }: { label: string; items: Incident[]; selected: string | null; onSelect: (id: string) => void }) {
  const { t } = useTranslation('incidents');
  return (
    <>
      <h2>{label}</h2>
      <ul className="process-list" aria-label={label}>
        {items.map((i) => (
          <li key={i.id}>
            <button type="button" className="item" aria-current={selected === i.id} onClick={() => onSelect(i.id)}>
              {t('list.item', { id: i.id, severity: i.severity, title: i.title })}
              {i.changeFreeze && <span className="badge badge-bad">{t('freeze.label')}</span>}
            </button>
          </li>
        ))}
      </ul>
    </>
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

  const all = list.data ?? [];
  const open = all.filter((i) => i.status !== 'closed');
  const closed = all.filter((i) => i.status === 'closed');
  return (
    <ViewFrame
      ns="incidents"
      actions={
        <button type="button" className="primary" onClick={() => setDeclaring(true)}>
          {t('declare.open')}
        </button>
      }
    >
      {list.error && <p role="alert">{list.error}</p>}
      <div className="process-grid">
        <div>
          <IncidentList label={t('list.open')} items={open} selected={selected} onSelect={(id) => (setSelected(id), setDeclaring(false))} />
          {closed.length > 0 && (
            <IncidentList label={t('list.closed')} items={closed} selected={selected} onSelect={(id) => (setSelected(id), setDeclaring(false))} />
          )}
          {all.length === 0 && <p className="empty">{t('empty')}</p>}
        </div>
        <div>
          {declaring ? (
            <DeclareForm
              onCancel={() => setDeclaring(false)}
              onDone={(id) => {
                setDeclaring(false);
                setSelected(id);
              }}
            />
          ) : detail.data ? (
            <PartBoundary part="incident detail" resetKey={detail.data.incident.id} onClose={() => setSelected(null)}>
              <IncidentDetail key={detail.data.incident.id} detail={detail.data} />
            </PartBoundary>
          ) : (
            <p className="muted">{t('select')}</p>
          )}
          {detail.error && <p role="alert">{detail.error}</p>}
        </div>
      </div>
    </ViewFrame>
  );
}
