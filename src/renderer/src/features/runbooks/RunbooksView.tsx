/** Runbooks: search as you type (中文 and English), filters, and the structured runbook page. */
import { useEffect, useRef } from 'react';
import './runbooks.css';
import { useTranslation } from 'react-i18next';
import type { RunbookSearchHit, TextSegment } from '@shared/runbooks';
import { EmptyState, InlineError, Select, View } from '@renderer/ui';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { ImportFolder } from './ImportFolder';
import { RunbookPageView } from './RunbookPage';
import { bindRunbookEvents, useRunbooks } from './store';
import { PartBoundary } from '@renderer/components/PartBoundary';

export function Segments({ segments }: { segments: TextSegment[] }) {
  return <>{segments.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}</>;
}

export function RunbooksView() {
  const { t } = useTranslation('runbooks');
  const focus = useApp((s) => s.focus);
  const freshness = useApp((s) => s.freshness);
  const now = useApp((s) => s.now);
  const openId = useRunbooks((s) => s.openId);
  const open = useRunbooks((s) => s.open);

  useEffect(() => {
    const s = useRunbooks.getState();
    void s.search();
    void s.loadFacets();
    return bindRunbookEvents();
  }, []);

  // another view asked for a runbook (an alert's "open runbook")
  useEffect(() => {
    if (focus?.view === 'runbooks') void open(focus.id);
  }, [focus, open]);

  return (
    <View
      title={t('title')}
      meta={t('synced', { age: formatAge(t, freshness?.runbooks, now) })}
    >
      <PartBoundary part={openId ? 'runbook page' : 'runbook list'} resetKey={openId}>
        {openId ? <RunbookPageView /> : <RunbookList />}
      </PartBoundary>
    </View>
  );
}

function RunbookList() {
  const { t } = useTranslation('runbooks');
  const { query, service, tag, result, facets, error, setQuery, setService, setTag, open } = useRunbooks();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const shortTerms = result && (result.mode === 'like' || result.mode === 'mixed');

  return (
    <div className="runbook-list">
      <div className="runbook-search" role="search">
        <input
          ref={input}
          type="search"
          aria-label={t('search')}
          placeholder={t('searchPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && result?.hits[0]) void open(result.hits[0].runbook.id);
          }}
        />
        <Select
          aria-label={t('service')}
          value={service ?? ''}
          onChange={(v) => setService(v || null)}
          options={[{ value: '', label: t('anyService') }, ...(facets?.services ?? []).map((s) => ({ value: s.name, label: `${s.name} (${s.count})` }))]}
        />
        <Select
          aria-label={t('tag')}
          value={tag ?? ''}
          onChange={(v) => setTag(v || null)}
          options={[{ value: '', label: t('anyTag') }, ...(facets?.tags ?? []).map((s) => ({ value: s.name, label: `${s.name} (${s.count})` }))]}
        />
      </div>
      {/* above the results, where it is seen even when the list is long (it was below them) */}
      <ImportFolder />
      <InlineError error={error} />
      {result && (
        <p className="muted" role="status">
          {t('results', { count: result.total })}
          {shortTerms && <> · {t('shortTerms')}</>}
        </p>
      )}
      {result && result.total === 0 && (query || service || tag ? <EmptyState title={t('noMatch')} /> : <EmptyState title={t('empty')} body={t('emptyHint')} />)}
      <ul className="runbook-results" aria-label={t('resultsList')}>
        {result?.hits.map((h) => (
          <Hit key={h.runbook.id} hit={h} />
        ))}
      </ul>
    </div>
  );
}

function Hit({ hit }: { hit: RunbookSearchHit }) {
  const { t } = useTranslation('runbooks');
  const now = useApp((s) => s.now);
  const open = useRunbooks((s) => s.open);
  const r = hit.runbook;
  return (
    <li>
      <button type="button" className="runbook-hit" onClick={() => void open(r.id)}>
        <span className="hit-title" translate="no">
          <Segments segments={hit.title} />
        </span>
        <span className="hit-snippet" translate="no">
          <Segments segments={hit.snippet} />
        </span>
        <span className="hit-meta muted">
          {r.service && <span>{r.service}</span>}
          {r.tags.map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
          <span className={`origin origin-${r.origin}`}>{t(`origin.${r.origin}`)}</span>
          <span>{t('cached', { age: formatAge(t, r.fetchedAt, now) })}</span>
        </span>
      </button>
    </li>
  );
}
