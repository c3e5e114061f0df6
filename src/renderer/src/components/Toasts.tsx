import { useTranslation } from 'react-i18next';
import { useApp } from '../stores/app';

export function Toasts() {
  const { t } = useTranslation();
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <div className="toasts" role="region" aria-live="polite" aria-label="Notifications">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.level}`} role={x.level === 'error' ? 'alert' : 'status'}>
          <div className="toast-text">
            <strong>{x.title}</strong>
            {x.body && <div>{x.body}</div>}
          </div>
          <button type="button" aria-label={t('toast.dismiss')} onClick={() => dismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
