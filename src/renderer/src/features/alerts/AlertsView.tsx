import { memo, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../signin/session';
import { SEVERITIES, type Language } from '@shared/domain';
import { vigil } from '@renderer/api';
import { formatAge, formatTime } from '@renderer/format';
import { PartBoundary } from '@renderer/components/PartBoundary';
import { useApp } from '@renderer/stores/app';
import { Banner, EmptyState, InlineError, Popover, SeverityBadge, Toolbar, View } from '@renderer/ui';
import { AlertTable } from './AlertTable';
import { DetailPane } from './DetailPane';
import { FilterBar } from './FilterBar';
import { ColumnsMenu } from './GridHeader';
import { HelpOverlay, NoteDialog, SilenceDialog } from './Dialogs';
import { fingerprintsOf } from './model';
import { alerts, startAlerts, useAlerts } from './store';
import { testNotification } from './test-notification';
import './alerts.css';

const OFFLINE = new Set(['offline', 'auth_failed']);

/** Keys typed into a field or a dialog are text, not commands. */
function typing(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest('[role="dialog"]'));
}

function useAlertKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e)) return;
      const s = useAlerts.getState();
      if (s.dialog) return;
      const row = s.rows.at(s.cursor);
      const run = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          return run(() => alerts.move(1));
        case 'k':
        case 'ArrowUp':
          return run(() => alerts.move(-1));
        case 'Enter':
          if (!row) return;
          return run(() => (row.kind === 'group' ? alerts.toggleGroup(row.key) : alerts.open(row.e.a.fingerprint)));
        case ' ':
          if (!row) return;
          return run(() => alerts.toggleSelect(row.kind === 'group' ? fingerprintsOf(row) : [row.e.a.fingerprint]));
        case 'a':
          return run(() => void alerts.act('ack', alerts.targets()));
        case 'A':
          return run(() => alerts.dialog({ kind: 'note', fingerprints: alerts.targets() }));
        case 'e':
          return run(() => void alerts.act('escalate', alerts.targets()));
        case 's':
          return run(() => alerts.dialog({ kind: 'silence', fingerprints: alerts.targets() }));
        case '/':
          return run(alerts.focusFilter);
        case '?':
          return run(() => alerts.dialog({ kind: 'help' }));
        case 'Escape':
          if (s.openFp) return run(() => alerts.open(null));
          if (s.selected.size) return run(alerts.clearSelection);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const Counts = memo(function Counts() {
  const { t } = useTranslation('alerts');
  const counts = useAlerts((s) => s.counts);
  if (!counts) return null;
  return (
    <ul className="sev-counts" aria-label={t('counts')}>
      {SEVERITIES.map((s) => (
        <li key={s} className={`sev-count${counts.bySeverity[s].unacked ? ' has-unacked' : ''}`} aria-label={t('countItem', { severity: s, unacked: counts.bySeverity[s].unacked, total: counts.bySeverity[s].total })}>
          <SeverityBadge severity={s} /> <strong>{counts.bySeverity[s].unacked}</strong>
          <span className="muted">/{counts.bySeverity[s].total}</span>
        </li>
      ))}
      <li className="unacked-total">{t('unackedTotal', { count: counts.unacked })}</li>
    </ul>
  );
});

/** Muting and the test notification, in a popover: they are used rarely, and the header stays calm. */
const NotifyControls = memo(function NotifyControls() {
  const { t, i18n } = useTranslation('alerts');
  const notify = useAlerts((s) => s.notify);
  const toast = useApp((s) => s.toast);
  const state = notify?.mutedUntil
    ? t('mute.muted', { time: formatTime(notify.mutedUntil, i18n.language) })
    : notify?.quietNow
      ? t('mute.quiet')
      : t('mute.on');
  return (
    <Popover label={t('mute.label')} trigger={<span>{notify?.mutedUntil ? t('mute.mutedShort') : t('mute.label')}</span>}>
      <p>{state}</p>
      <div className="toolbar">
        {notify?.mutedUntil ? (
          <button type="button" onClick={() => void vigil().notifyMute(0)}>
            {t('mute.unmute')}
          </button>
        ) : (
          <>
            <button type="button" onClick={() => void vigil().notifyMute(15)}>
              {t('mute.m15')}
            </button>
            <button type="button" onClick={() => void vigil().notifyMute(60)}>
              {t('mute.m60')}
            </button>
          </>
        )}
        <button
          type="button"
          onClick={async () => {
            const r = await testNotification(i18n.language as Language);
            toast(r.delivered ? { level: 'success', title: t('mute.testOk') } : { level: 'error', title: t('mute.testFailed'), body: r.reason ?? '' });
          }}
        >
          {t('mute.test')}
        </button>
      </div>
    </Popover>
  );
});

const BulkBar = memo(function BulkBar() {
  const { t } = useTranslation('alerts');
  const selected = useAlerts((s) => s.selected);
  // a viewer, or nobody signed in: the actions stay visible, disabled, with the reason beside them
  const can = useCan('alert.ack');
  const reasonId = useId();
  const gate = can.ok ? {} : { disabled: true, title: can.reason, 'aria-describedby': reasonId };
  return (
    <Toolbar label={t('actions.label')} className="bulk-bar">
      {selected.size > 0 && (
        <>
          <span className="selection">{t('selection', { count: selected.size })}</span>
          <button type="button" className="small" onClick={alerts.clearSelection}>
            {t('clearSelection')}
          </button>
        </>
      )}
      <button type="button" aria-keyshortcuts="a" {...gate} onClick={() => void alerts.act('ack', alerts.targets())}>
        {t('actions.ack')} <kbd aria-hidden="true">a</kbd>
      </button>
      <button type="button" aria-keyshortcuts="s" {...gate} onClick={() => alerts.dialog({ kind: 'silence', fingerprints: alerts.targets() })}>
        {t('actions.silence')} <kbd aria-hidden="true">s</kbd>
      </button>
      <button type="button" aria-keyshortcuts="e" {...gate} onClick={() => void alerts.act('escalate', alerts.targets())}>
        {t('actions.escalate')} <kbd aria-hidden="true">e</kbd>
      </button>
      <button type="button" {...gate} onClick={() => void alerts.act('unack', alerts.targets())}>
        {t('actions.unack')}
      </button>
      <button type="button" {...gate} onClick={() => void alerts.act('resolve', alerts.targets())}>
        {t('actions.resolve')}
      </button>
      {!can.ok && (
        <span id={reasonId} className="muted action-reason">
          {can.reason}
        </span>
      )}
      <span className="toolbar-end">
        <ColumnsMenu />
        <button type="button" aria-keyshortcuts="?" onClick={() => alerts.dialog({ kind: 'help' })}>
          {t('help.title')}
        </button>
      </span>
    </Toolbar>
  );
});

function OfflineBanner({ age }: { age: string }) {
  const { t } = useTranslation('alerts');
  const [busy, setBusy] = useState(false);
  return (
    <Banner
      tone="warn"
      actions={
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void vigil()
              .linkReconnect()
              .finally(() => setBusy(false));
          }}
        >
          {t('reconnect')}
        </button>
      }
    >
      {t('offline', { age })}
    </Banner>
  );
}

function TableState({ status, total, shown }: { status: string; total: number; shown: number }) {
  const { t } = useTranslation('alerts');
  if (status === 'loading') return <p className="muted">{t('loading')}</p>;
  if (status !== 'ready') return null;
  if (total === 0) return <EmptyState title={t('empty')} body={t('emptyHint')} />;
  if (shown === 0)
    return (
      <EmptyState
        title={t('emptyFiltered')}
        action={
          <button type="button" onClick={alerts.clearQuery}>
            {t('filter.clear')}
          </button>
        }
      />
    );
  return null;
}

/**
 * The alert console. Its parts that take no props are memoised: the link state and freshness it shows
 * change several times a second in a storm, and re-rendering the filter bar, counts and grid with them was
 * about half of the renderer's script time during one.
 */
export function AlertsView() {
  const { t } = useTranslation('alerts');
  const status = useAlerts((s) => s.status);
  const loading = useAlerts((s) => s.loading);
  const error = useAlerts((s) => s.error);
  const total = useAlerts((s) => s.byFp.size);
  const shown = useAlerts((s) => s.shown);
  const openFp = useAlerts((s) => s.openFp);
  const dialog = useAlerts((s) => s.dialog);
  const link = useApp((s) => s.link);
  const freshAt = useApp((s) => s.freshness?.alerts ?? null);
  const now = useApp((s) => s.now);
  const focus = useApp((s) => s.focus);

  useEffect(startAlerts, []);
  useAlertKeys();
  // a notification click (focusAlert) or another view asked for this alert
  useEffect(() => {
    if (focus?.view === 'alerts' && status === 'ready') alerts.focus(focus.id);
  }, [focus, status]);

  const age = formatAge(t, freshAt ?? link?.lastSyncAt ?? null, now);
  const offline = !!link && OFFLINE.has(link.status);

  return (
    <View
      title={t('title')}
      className="alerts-view"
      meta={
        <>
          <Counts />
          <span className="shown" aria-live="polite">
            {t('shown', { shown, total })} · {t('asOf', { age })}
            {loading?.total ? ` · ${t('loadingProgress', { loaded: loading.loaded, total: loading.total })}` : ''}
          </span>
        </>
      }
      actions={<NotifyControls />}
    >
      {offline && <OfflineBanner age={age} />}
      <FilterBar />
      <BulkBar />
      <InlineError error={error} />
      <div className={`alerts-split${openFp ? ' with-detail' : ''}`}>
        <div className="alerts-table-wrap">
          <TableState status={status} total={total} shown={shown} />
          <PartBoundary part="alert table">
            <AlertTable />
          </PartBoundary>
        </div>
        {openFp && (
          <PartBoundary part="alert detail" resetKey={openFp} onClose={() => alerts.open(null)}>
            <DetailPane fingerprint={openFp} />
          </PartBoundary>
        )}
      </div>
      <PartBoundary part="alert dialog" resetKey={dialog} onClose={() => alerts.dialog(null)}>
        {dialog?.kind === 'silence' && <SilenceDialog fingerprints={dialog.fingerprints} />}
        {dialog?.kind === 'note' && <NoteDialog fingerprints={dialog.fingerprints} />}
        {dialog?.kind === 'help' && <HelpOverlay />}
      </PartBoundary>
    </View>
  );
}
