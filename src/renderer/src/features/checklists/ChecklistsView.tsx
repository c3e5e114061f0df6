import { useTranslation } from 'react-i18next';
import { ViewFrame } from '../../components/CollectionView';

export function ChecklistsView() {
  const { t } = useTranslation('checklists');
  return (
    <ViewFrame ns="checklists">
      <p className="empty">{t('empty')}</p>
    </ViewFrame>
  );
}
