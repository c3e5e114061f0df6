import { useTranslation } from 'react-i18next';
import { ViewFrame } from '../../components/CollectionView';

export function IncidentsView() {
  const { t } = useTranslation('incidents');
  return (
    <ViewFrame ns="incidents">
      <p className="empty">{t('empty')}</p>
    </ViewFrame>
  );
}
