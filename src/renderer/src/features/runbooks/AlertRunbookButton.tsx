/** A "Runbook: <title>" button for an alert, for the alert detail pane. Says so when there is none. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunbookRef } from '@shared/runbooks';
import { useApp } from '@renderer/stores/app';
import { openRunbookRef, runbookRefForAlert } from './openRunbookForAlert';

export function AlertRunbookButton({ fingerprint }: { fingerprint: string }) {
  const { t } = useTranslation('runbooks');
  const go = useApp((s) => s.go);
  const [ref, setRef] = useState<RunbookRef | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    setRef(null);
    runbookRefForAlert(fingerprint).then(
      (r) => alive && setRef(r),
      (e: Error) => alive && setError(e.message),
    );
    return () => {
      alive = false;
    };
  }, [fingerprint]);

  if (error) return <span className="muted">{error}</span>;
  if (!ref) return <span className="muted">{t('alertLink.loading')}</span>;
  if (ref.kind === 'none')
    return (
      <span className="muted" title={ref.reason}>
        {t('alertLink.none')}
      </span>
    );
  return (
    <span className="alert-runbook-link">
      <button type="button" onClick={() => void openRunbookRef(ref)}>
        {ref.kind === 'local' ? t('alertLink.open', { title: ref.runbook.title }) : t('alertLink.external')}
      </button>
      {ref.kind === 'external' && ref.candidates.length > 0 && (
        <span>
          {' '}
          {t('alertLink.alternatives')}:{' '}
          {ref.candidates.map((c) => (
            <button key={c.id} type="button" className="link-button" onClick={() => go('runbooks', c.id)}>
              {c.title}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}
