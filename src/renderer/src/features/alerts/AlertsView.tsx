import { useTranslation } from 'react-i18next';
import { displayState, type Alert } from '../../../../shared/alerts';
import { vigil } from '../../api';
import { useCollection, ViewFrame } from '../../components/CollectionView';

export function AlertsView() {
  const { t } = useTranslation('alerts');
  const { items, error } = useCollection<Alert>('alerts', () => vigil().alertsList());
  return (
    <ViewFrame ns="alerts">
      {error && <p role="alert">{error}</p>}
      {items && items.length === 0 && <p className="empty">{t('empty')}</p>}
      {items && items.length > 0 && (
        <table>
          <tbody>
            {items.map((a) => (
              <tr key={a.fingerprint}>
                <td>{a.severity}</td>
                <td>{displayState(a)}</td>
                <td>{a.alertname}</td>
                <td>{a.annotations.summary ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </ViewFrame>
  );
}
