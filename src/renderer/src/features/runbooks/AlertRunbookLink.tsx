/** A "Runbook: <title>" button for an alert, for the alert detail pane. Says so when there is none. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunbookLink } from '@shared/runbooks';
import { useApp } from '@renderer/stores/app';
import { openRunbookLink, runbookLinkForAlert } from './openRunbookForAlert';

export function AlertRunbookLink({ fingerprint }: { fingerprint: string }) {
  const { t } = useTranslation('runbooks');
  const go = useApp((s) => s.go);
  const [link, setLink] = useState<RunbookLink | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    setLink(null);
    runbookLinkForAlert(fingerprint).then(
      (l) => alive && setLink(l),
      (e: Error) => alive && setError(e.message),
    );
    return () => {
      alive = false;
    };
  }, [fingerprint]);

  if (error) return <span className="muted">{error}</span>;
  if (!link) return <span className="muted">{t('alertLink.loading')}</span>;
  if (link.kind === 'none')
    return (
      <span className="muted" title={link.reason}>
        {t('alertLink.none')}
      </span>
    );
  return (
    <span className="alert-runbook-link">
      <button type="button" onClick={() => void openRunbookLink(link)}>
        {link.kind === 'local' ? t('alertLink.open', { title: link.runbook.title }) : t('alertLink.external')}
      </button>
      {link.kind === 'external' && link.candidates.length > 0 && (
        <span>
          {' '}
          {t('alertLink.alternatives')}:{' '}
          {link.candidates.map((c) => (
            <button key={c.id} type="button" className="link-button" onClick={() => go('runbooks', c.id)}>
              {c.title}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}
