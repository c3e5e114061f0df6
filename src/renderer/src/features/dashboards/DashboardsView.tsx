import { useTranslation } from 'react-i18next';
import type { Dashboard } from '../../../../shared/dashboards';
import { vigil } from '../../api';
import { useCollection, ViewFrame } from '../../components/CollectionView';

export function DashboardsView() {
  const { t } = useTranslation('dashboards');
  const { items, error } = useCollection<Dashboard>('dashboards', () => vigil().dashboardsList());
  return (
    <ViewFrame ns="dashboards">
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p className="empty">{t('empty')}</p>}
      <ul>{items?.map((d) => <li key={d.id}>{d.title}</li>)}</ul>
    </ViewFrame>
  );
}
