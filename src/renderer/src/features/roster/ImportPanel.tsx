import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterImportResult } from '@shared/roster';
import { vigil } from '@renderer/api';

/** Import a YAML roster or a CSV contact sheet; every problem is listed with its line and row. */
export function ImportPanel({
  currentRosterId,
  onImported,
  onClose,
}: {
  /** where a CSV sheet goes when no id is typed (a YAML file names its own roster) */
  currentRosterId: string | null;
  onImported: (rosterId: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation('roster');
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<'yaml' | 'csv'>('yaml');
  const [rosterId, setRosterId] = useState('');
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setResult(null);
    setError(null);
    if (!file) return setError(t('import.noFile'));
    setBusy(true);
    try {
      const text = await file.text();
      const target = rosterId.trim() || (format === 'csv' ? (currentRosterId ?? undefined) : undefined);
      const res = await vigil().rosterImport({ format, text, rosterId: target, dryRun });
      setResult(res);
      if (res.stored && res.rosterId) onImported(res.rosterId);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="roster-import"
      aria-labelledby="roster-import-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="roster-import-title">{t('import.heading')}</h2>
      <label>
        {t('import.file')}{' '}
        <input
          type="file"
          accept=".yaml,.yml,.csv,text/csv,application/yaml"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            if (f) setFormat(/\.csv$/i.test(f.name) ? 'csv' : 'yaml');
          }}
        />
      </label>
      <label>
        {t('import.format')}{' '}
        <select value={format} onChange={(e) => setFormat(e.target.value as 'yaml' | 'csv')}>
          <option value="yaml">{t('import.yaml')}</option>
          <option value="csv">{t('import.csv')}</option>
        </select>
      </label>
      <label>
        {t('import.rosterId')}{' '}
        <input
          type="text"
          value={rosterId}
          placeholder={format === 'csv' ? (currentRosterId ?? 'local') : t('import.fromFile')}
          onChange={(e) => setRosterId(e.target.value)}
        />
      </label>
      <label>
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> {t('import.dryRun')}
      </label>
      <div className="roster-import-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('import.checking') : t('import.submit')}
        </button>
        <button type="button" onClick={onClose}>
          {t('import.cancel')}
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {result?.ok && (
        <p role="status">
          {t(result.stored ? 'import.ok' : 'import.okDry', { id: result.rosterId, ...result.counts })}
        </p>
      )}
      {result && !result.ok && (
        <div role="alert">
          <p>{t('import.failed', { count: result.issues.length })}</p>
          <ul className="roster-issues">
            {result.issues.map((i, k) => (
              <li key={k}>
                {t('import.issue', {
                  where: (i.line !== null ? t('import.atLine', { line: i.line }) : '') + (i.row !== null && i.row > 0 ? t('import.atRow', { row: i.row }) : ''),
                  path: i.path,
                  message: i.message,
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
