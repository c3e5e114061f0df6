import { memo, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DISPLAY_STATES } from '@shared/contract/alerts';
import { CLUSTER_LABEL, formatMatchers, splitClusterMatchers, tryParseMatchers } from '@shared/matchers';
import { Select } from '@renderer/ui';
import { matcherErrorText } from './matcherText';
import { alerts, useAlerts } from './store';

/** The cluster a matcher expression picks with one `@cluster="x"`, '' for none, null when it says more than that. */
function clusterOf(matchers: string): string | null {
  const r = tryParseMatchers(matchers);
  if (!r.ok) return null;
  const { cluster } = splitClusterMatchers(r.matchers);
  if (cluster.length === 0) return '';
  return cluster.length === 1 && cluster[0].isEqual && !cluster[0].isRegex ? cluster[0].value : null;
}

/** The expression with its @cluster matchers replaced by `@cluster="name"` (none for ''). */
function withCluster(matchers: string, name: string): string {
  const r = tryParseMatchers(matchers);
  if (!r.ok) return matchers;
  const { labels } = splitClusterMatchers(r.matchers);
  const ms = name ? [{ name: CLUSTER_LABEL, value: name, isEqual: true, isRegex: false }, ...labels] : labels;
  return ms.length ? formatMatchers(ms) : '';
}

/** Text search, label matchers (Alertmanager syntax), states, grouping and saved filters. */
export const FilterBar = memo(function FilterBar() {
  const { t } = useTranslation('alerts');
  const query = useAlerts((s) => s.query);
  const groupByText = useAlerts((s) => s.groupByText);
  const error = useAlerts((s) => s.compiled.error);
  const saved = useAlerts((s) => s.saved);
  const focusTick = useAlerts((s) => s.focusFilterTick);
  const clusters = useAlerts((s) => s.clusters);
  const cluster = clusterOf(query.matchers);
  const textRef = useRef<HTMLInputElement>(null);
  const [naming, setNaming] = useState<string | null>(null);

  useEffect(() => {
    if (focusTick) textRef.current?.focus();
  }, [focusTick]);

  return (
    <form className="alert-filter" role="search" aria-label={t('filter.label')} onSubmit={(e) => e.preventDefault()}>
      <input
        ref={textRef}
        type="search"
        aria-label={t('filter.text')}
        placeholder={t('filter.textPlaceholder')}
        value={query.text}
        onChange={(e) => alerts.setQuery({ text: e.target.value })}
        onKeyDown={(e) => e.key === 'Escape' && (e.currentTarget.blur(), e.stopPropagation())}
      />
      <input
        className="mono"
        aria-label={t('filter.matchers')}
        placeholder={t('filter.matchersPlaceholder')}
        value={query.matchers}
        aria-invalid={!!error}
        aria-describedby={error ? 'alert-matcher-error' : undefined}
        spellCheck={false}
        onChange={(e) => alerts.setQuery({ matchers: e.target.value })}
        onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
      />
      <fieldset className="states">
        <legend className="sr-only">{t('filter.states')}</legend>
        {DISPLAY_STATES.map((st) => (
          <label key={st} className={`state-chip state-${st}`}>
            <input
              type="checkbox"
              checked={query.states.includes(st)}
              onChange={(e) => alerts.setQuery({ states: e.target.checked ? [...query.states, st] : query.states.filter((x) => x !== st) })}
            />
            {t(`state.${st}`)}
          </label>
        ))}
      </fieldset>
      {clusters.length > 0 && (
        // a shortcut for the @cluster matcher, kept in step with the expression
        <Select
          aria-label={t('filter.cluster')}
          value={cluster ?? ''}
          disabled={cluster === null}
          options={[{ value: '', label: t('filter.clusterAll') }, ...clusters.map((c) => ({ value: c, label: c }))]}
          onChange={(name) => alerts.setQuery({ matchers: withCluster(query.matchers, name) })}
        />
      )}
      <input
        className="group-by mono"
        aria-label={t('filter.groupBy')}
        placeholder={t('filter.groupByPlaceholder')}
        value={groupByText}
        onChange={(e) => alerts.setGroupByText(e.target.value)}
      />
      <Select
        aria-label={t('filter.saved')}
        value={null}
        placeholder={t('filter.savedNone')}
        disabled={!saved.length}
        options={saved.map((f) => ({ value: f.id, label: f.name }))}
        onChange={(id) => {
          const f = saved.find((x) => x.id === id);
          if (f) alerts.applySaved(f);
        }}
      />
      {naming === null ? (
        <button type="button" onClick={() => setNaming('')} disabled={!!error}>
          {t('filter.save')}
        </button>
      ) : (
        <span className="save-as">
          <input
            autoFocus
            aria-label={t('filter.saveName')}
            value={naming}
            maxLength={80}
            onChange={(e) => setNaming(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setNaming(null);
              if (e.key === 'Enter' && naming.trim()) void alerts.saveFilter(naming.trim()).then(() => setNaming(null));
            }}
          />
          <button type="button" className="primary small" disabled={!naming.trim()} onClick={() => void alerts.saveFilter(naming.trim()).then(() => setNaming(null))}>
            {t('filter.saveConfirm')}
          </button>
        </span>
      )}
      <button type="button" onClick={alerts.clearQuery}>
        {t('filter.clear')}
      </button>
      {error && (
        <p id="alert-matcher-error" role="alert" className="error matcher-error">
          {t('filter.matcherError', { message: matcherErrorText(t, error) })}
        </p>
      )}
    </form>
  );
});
