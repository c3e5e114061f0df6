import { useTranslation } from 'react-i18next';
import { ViewFrame } from '../../components/CollectionView';

export function HandoverView() {
  const { t } = useTranslation('handover');
  return (
    <ViewFrame ns="handover">
      <p className="empty">{t('empty')}</p>
    </ViewFrame>
  );
}
