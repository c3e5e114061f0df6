import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterImportResult } from '@shared/roster';
import { vigil } from '@renderer/api';
import { errorText } from '@renderer/data/load';
import { CheckField, Field, FieldRow, FormCard, InlineError, RadioGroup, Select } from '@renderer/ui';
import type { ParsedRoster } from './store';

const NEW = '';

/**
 * Import a YAML roster or a CSV contact sheet; every problem is listed with its line and row. A contact
 * sheet goes into a local roster — "local" unless another local one is chosen — never into a roster the
 * platform sends (issue #18: it was prefilled with the roster on screen and silently made the platform's
 * roster a local copy; the core refuses that too).
 */
export function ImportPanel({ rosters, onImported, onClose }: { rosters: ParsedRoster[]; onImported: (rosterId: string) => void; onClose: () => void }) {
  const { t } = useTranslation('roster');
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<'yaml' | 'csv'>('yaml');
  const locals = rosters.filter((r) => r.roster.origin === 'local');
  const [target, setTarget] = useState<string>(locals.some((r) => r.roster.id === 'local') ? 'local' : NEW);
  const [newId, setNewId] = useState('local');
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
      const rosterId = format === 'csv' ? (target === NEW ? newId.trim() || 'local' : target) : undefined;
      const res = await vigil().rosterImport({ format, text, rosterId, dryRun });
      setResult(res);
      if (res.stored && res.rosterId) onImported(res.rosterId);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormCard
      title={t('import.heading')}
      className="roster-import"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field label={t('import.file')}>
        <input
          type="file"
          accept=".yaml,.yml,.csv,text/csv,application/yaml"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            if (f) setFormat(/\.csv$/i.test(f.name) ? 'csv' : 'yaml');
          }}
        />
      </Field>
      <RadioGroup
        label={t('import.format')}
        value={format}
        onChange={setFormat}
        options={[
          { value: 'yaml', label: t('import.yaml') },
          { value: 'csv', label: t('import.csv') },
        ]}
        hint={format === 'yaml' ? t('import.yamlHint') : t('import.csvHint')}
      />
      {format === 'csv' && (
        <FieldRow>
          <Field label={t('import.target')}>
            <Select
              value={target}
              onChange={setTarget}
              options={[...locals.map((r) => ({ value: r.roster.id, label: t('import.intoLocal', { name: r.roster.name, id: r.roster.id }) })), { value: NEW, label: t('import.newLocal') }]}
            />
          </Field>
          {target === NEW && (
            <Field label={t('import.newId')}>
              <input value={newId} maxLength={100} onChange={(e) => setNewId(e.target.value)} />
            </Field>
          )}
        </FieldRow>
      )}
      <CheckField label={t('import.dryRun')} checked={dryRun} onChange={setDryRun} />
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('import.checking') : t('import.submit')}
        </button>
        <button type="button" onClick={onClose}>
          {t('import.cancel')}
        </button>
      </div>
      <InlineError error={error} />
      {result?.ok && <p role="status">{t(result.stored ? 'import.ok' : 'import.okDry', { id: result.rosterId, ...result.counts })}</p>}
      {result && !result.ok && (
        <div role="alert" className="import-problems">
          <p className="inline-error">{t('import.failed', { count: result.issues.length })}</p>
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
    </FormCard>
  );
}
