/** Importing a local folder of runbooks (a checkout of a runbook repository). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderImportResult } from '@shared/runbooks';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { Field, InlineError } from '@renderer/ui';

export function ImportFolder() {
  const { t } = useTranslation('runbooks');
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<FolderImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canPick = useApp((s) => s.info?.canPickFolder ?? false);

  const choose = async () => {
    setError(null);
    try {
      const picked = await vigil().pickFolder();
      if (picked.path) setPath(picked.path);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await vigil().runbooksImportFolder(path));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="import-folder card">
      <summary>{t('import.toggle')}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <Field label={t('import.path')} hint={t('import.hint')}>
          <input type="text" value={path} placeholder={t('import.pathPlaceholder')} onChange={(e) => setPath(e.target.value)} spellCheck={false} required />
        </Field>
        {canPick && (
          <button type="button" onClick={() => void choose()} disabled={busy}>
            {t('import.choose')}
          </button>
        )}
        <button type="submit" className="primary" disabled={busy || !path.trim()}>
          {busy ? t('import.running') : t('import.run')}
        </button>
      </form>
      <InlineError error={error && `${t('import.failed')}: ${error}`} />
      {result && (
        <div role="status">
          <p>
            {t('import.done', {
              imported: result.imported,
              updated: result.updated,
              unchanged: result.unchanged,
              removed: result.removed,
              scanned: result.scanned,
            })}
          </p>
          <ProblemList title={t('import.skipped')} items={result.skipped} />
          <ProblemList title={t('import.warnings')} items={result.warnings} />
        </div>
      )}
    </details>
  );
}

function ProblemList({ title, items }: { title: string; items: FolderImportResult['skipped'] }) {
  if (!items.length) return null;
  return (
    <details open>
      <summary>
        {title} ({items.length})
      </summary>
      <ul>
        {items.map((s) => (
          <li key={s.file}>
            <code>{s.file}</code>: {s.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
