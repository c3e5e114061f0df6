import { useTranslation } from 'react-i18next';
import { useApp, VIEWS } from '../stores/app';

/** Left navigation. Alt+1…8 switch views from anywhere. */
export function Nav() {
  const { t } = useTranslation();
  const view = useApp((s) => s.view);
  const go = useApp((s) => s.go);
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <div className="brand" aria-hidden="true">
        <span className="logo">◉</span> {t('app.name')}
      </div>
      <ul>
        {VIEWS.map((v, i) => (
          <li key={v}>
            <button
              type="button"
              className={view === v ? 'active' : ''}
              aria-current={view === v ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              onClick={() => go(v)}
            >
              {t(`nav.${v}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
