import { useTranslation } from 'react-i18next';
import type { RunbookSummary } from '../../../../shared/runbooks';
import { vigil } from '../../api';
import { useCollection, ViewFrame } from '../../components/CollectionView';

export function RunbooksView() {
  const { t } = useTranslation('runbooks');
  const { items, error } = useCollection<RunbookSummary>('runbooks', () => vigil().runbooksList());
  return (
    <ViewFrame ns="runbooks">
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p className="empty">{t('empty')}</p>}
      <ul>{items?.map((r) => <li key={r.id}>{r.title}</li>)}</ul>
    </ViewFrame>
  );
}
