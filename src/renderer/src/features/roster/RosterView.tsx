import { useTranslation } from 'react-i18next';
import type { Roster } from '../../../../shared/roster';
import { vigil } from '../../api';
import { useCollection, ViewFrame } from '../../components/CollectionView';

export function RosterView() {
  const { t } = useTranslation('roster');
  const { items, error } = useCollection<Roster>('rosters', () => vigil().rostersList());
  return (
    <ViewFrame ns="roster">
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p className="empty">{t('empty')}</p>}
      <ul>{items?.map((r) => <li key={r.id}>{r.name}</li>)}</ul>
    </ViewFrame>
  );
}
