import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertEvent } from '@shared/alerts';
import { cutOf, type AlertCuts, type AlertView } from '@shared/alert-view';
import type { AlertAction } from '@shared/contract/alerts';
import { isSafeExternalUrl } from '@shared/external-urls';
import { hiddenCharsIn, revealPlain } from '@shared/spoofing';
import type { RunbookRef } from '@shared/runbooks';
import { vigil } from '@renderer/api';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { openExternalLink } from '@renderer/components/openLink';
import { Revealed } from '@renderer/components/Revealed';
import { ackTimeText } from './AlertTable';
import { RelatedMetric } from './RelatedMetric';
import type { Entry } from './model';
import { alerts, useAlerts } from './store';

/** Labels, annotations (text only; links go through the vetted opener), history, runbook, metric, actions. */
export function DetailPane({ fingerprint }: { fingerprint: string }) {
  const { t, i18n } = useTranslation('alerts');
  const entry = useAlerts((s) => s.byFp.get(fingerprint));
  const actions = useAlerts((s) => s.actions);
  const silences = useAlerts((s) => s.silences);
  const go = useApp((s) => s.go);
  const [history, setHistory] = useState<AlertEvent[] | null>(null);
  const [runbook, setRunbook] = useState<RunbookRef | null>(null);
  const updatedAt = entry?.a.updatedAt;

  useEffect(() => {
    let alive = true;
    void vigil()
      .alertHistory(fingerprint)
      .then(
        (h) => alive && setHistory(h),
        () => alive && setHistory([]),
      );
    return () => {
      alive = false;
    };
  }, [fingerprint, updatedAt, actions]);

  useEffect(() => {
    let alive = true;
    setRunbook(null);
    void vigil()
      .runbookForAlert(fingerprint)
      .then(
        (r) => alive && setRunbook(r),
        (err: Error) => alive && setRunbook({ kind: 'none', reason: err.message }),
      );
    return () => {
      alive = false;
    };
  }, [fingerprint]);

  if (!entry)
    return (
      <aside className="alert-detail" aria-label={t('detail.label')}>
        <button type="button" className="close" onClick={() => alerts.open(null)} aria-label={t('detail.close')}>
          ×
        </button>
        <p className="muted">{t('detail.notFound')}</p>
      </aside>
    );
  const a = entry.a;
  const mine = actions.filter(
    (x) => x.fingerprints.includes(fingerprint) || (x.silenceId && a.silencedBy.includes(x.silenceId)),
  );
  const fp = [fingerprint];
  const activeSilences = a.silencedBy.filter((id) => silences.find((s) => s.id === id)?.state !== 'expired');

  return (
    <aside className="alert-detail" aria-label={t('detail.label')}>
      <header>
        <button type="button" className="close" onClick={() => alerts.open(null)} aria-label={t('detail.close')}>
          ×
        </button>
        <h2>
          <span className={`sev sev-${a.severity}`}>{a.severity}</span> <Revealed text={a.alertname} />
        </h2>
        <HiddenCharsWarning a={a} />
        <StatusLine entry={entry} />
        {entry.summary && (
          <p className="summary">
            <Revealed text={entry.summary} />
          </p>
        )}
      </header>

      <section aria-label={t('detail.actions')} className="detail-actions">
        <button type="button" onClick={() => void alerts.act('ack', fp)} disabled={a.state !== 'firing' || !!a.ackedBy}>
          {t('actions.ack')}
        </button>
        <button
          type="button"
          onClick={() => alerts.dialog({ kind: 'note', fingerprints: fp })}
          disabled={a.state !== 'firing' || !!a.ackedBy}
        >
          {t('actions.ackWithNote')}
        </button>
        <button type="button" onClick={() => void alerts.act('unack', fp)} disabled={!a.ackedBy}>
          {t('actions.unack')}
        </button>
        <button type="button" onClick={() => void alerts.act('escalate', fp)} disabled={a.state !== 'firing'}>
          {t('actions.escalate')}
        </button>
        <button type="button" onClick={() => void alerts.act('resolve', fp)} disabled={a.state !== 'firing'}>
          {t('actions.resolve')}
        </button>
        <button type="button" onClick={() => alerts.dialog({ kind: 'silence', fingerprints: fp })}>
          {t('actions.silence')}
        </button>
        {activeSilences.map((id) => (
          <button key={id} type="button" onClick={() => void expire(id)}>
            {t('actions.expire')} {id.slice(0, 8)}
          </button>
        ))}
      </section>

      <ActionLog mine={mine} />

      <section aria-label={t('detail.runbook')}>
        <h3>{t('detail.runbook')}</h3>
        {runbook?.kind === 'local' && (
          <button type="button" onClick={() => go('runbooks', runbook.runbook.id)}>
            {t('detail.runbookOpen', { title: runbook.runbook.title })}
          </button>
        )}
        {runbook?.kind === 'external' && (
          <button type="button" onClick={() => void openExternalLink(runbook.url)}>
            {t('detail.runbookExternal')}
          </button>
        )}
        {(!runbook || runbook.kind === 'none') && <p className="muted">{t('detail.runbookNone')}</p>}
      </section>

      <RelatedMetric alert={a} />

      <AlertValues a={a} />

      <section aria-label={t('detail.history')}>
        <h3>{t('detail.history')}</h3>
        {history && history.length === 0 && <p className="muted">{t('detail.historyEmpty')}</p>}
        <ol className="history">
          {history?.map((h, i) => (
            <li key={`${h.at}-${i}`}>
              <time dateTime={new Date(h.at).toISOString()}>{formatTime(h.at, i18n.language)}</time>{' '}
              <strong>{h.kind}</strong> {h.detail}
            </li>
          ))}
        </ol>
      </section>
    </aside>
  );

  async function expire(id: string) {
    try {
      await vigil().silenceExpire(id);
      await alerts.refreshActions();
    } catch (err) {
      useApp.getState().toast({
        level: 'error',
        title: t('actions.failedTitle', { action: t('actionName.silence.expire') }),
        body: (err as Error).message,
      });
    }
  }
}

/** State, start, cluster, who acked it and when the ack runs out, the silences, and what inhibits it. */
function StatusLine({ entry }: { entry: Entry }) {
  const { t, i18n } = useTranslation('alerts');
  const byFp = useAlerts((s) => s.byFp);
  const now = useApp((s) => s.now);
  const a = entry.a;
  // inhibited names the alert(s) that inhibit it, by name when cached
  const inhibitors = a.inhibitedBy.map((f) => byFp.get(f)?.a.alertname ?? f).join(', ');
  const ackTime = ackTimeText(t, a, now);
  return (
    <p>
      <span className={`state state-${entry.display}`}>{t(`state.${entry.display}`)}</span>{' '}
      <span className="muted">{t('detail.startedAt', { time: formatTime(a.startsAt, i18n.language) })}</span>
      {a.cluster && <span className="muted"> · {t('detail.cluster', { name: a.cluster })}</span>}
      {a.ackedBy && <span className="muted"> · {t('detail.ackedBy', { who: a.ackedBy })}</span>}
      {ackTime && (
        <span className="muted">
          {' '}
          · {ackTime}
          {a.ackAutoExtend ? ` · ${t('detail.ackKept')}` : ''}
        </span>
      )}
      {a.silencedBy.length > 0 && (
        <span className="muted"> · {t('detail.silencedBy', { ids: a.silencedBy.join(', ') })}</span>
      )}
      {a.inhibitedBy.length > 0 && <span className="muted"> · {t('detail.inhibitedBy', { names: inhibitors })}</span>}
    </p>
  );
}

/** The warning on an alert whose name or labels hide characters (zero-width, bidi overrides, controls). */
function HiddenCharsWarning({ a }: { a: AlertView }) {
  const { t } = useTranslation('alerts');
  const where = hiddenCharsIn(a);
  if (where.length === 0) return null;
  return (
    <p role="alert" className="banner banner-warn hidden-chars-warning">
      {t('hiddenChars.warning', { where: where.map(revealPlain).join(', ').slice(0, 300) })}
    </p>
  );
}

/** Labels and annotations: untrusted text (never HTML), hidden characters shown, huge values cut with "show all". */
function AlertValues({ a }: { a: AlertView }) {
  const { t } = useTranslation('alerts');
  const generatorUrl = a.generatorUrl;
  return (
    <>
      <section aria-label={t('detail.labels')}>
        <h3>{t('detail.labels')}</h3>
        <dl className="kv">
          {Object.entries(a.labels).map(([k, v]) => (
            <div key={`${a.fingerprint}\u0000${k}`}>
              <dt>
                <Revealed text={k} />
              </dt>
              <Value a={a} where="labels" name={k} value={v} />
            </div>
          ))}
        </dl>
      </section>

      <section aria-label={t('detail.annotations')}>
        <h3>{t('detail.annotations')}</h3>
        <dl className="kv">
          {Object.entries(a.annotations).map(([k, v]) => (
            <div key={`${a.fingerprint}\u0000${k}`}>
              <dt>
                <Revealed text={k} />
              </dt>
              <Value a={a} where="annotations" name={k} value={v} />
              {/* a URL is offered through the vetted opener only, and only whole (never a cut one) */}
              {!cutOf(a, 'annotations', k) && isSafeExternalUrl(v) && (
                <dd>
                  <button type="button" className="link" onClick={() => void openExternalLink(v)}>
                    {t('detail.openLink', { url: v.length > 60 ? `${v.slice(0, 57)}…` : v })}
                  </button>
                </dd>
              )}
            </div>
          ))}
          {generatorUrl && (
            <div>
              <dt>{t('detail.source')}</dt>
              <dd>
                <button type="button" className="link" onClick={() => void openExternalLink(generatorUrl)}>
                  {t('detail.openLink', {
                    url: generatorUrl.length > 60 ? `${generatorUrl.slice(0, 57)}…` : generatorUrl,
                  })}
                </button>
              </dd>
            </div>
          )}
        </dl>
      </section>
    </>
  );
}

/**
 * One value. A cut one (over 4096 characters: alert-view.ts) shows its start, how long it is and "show
 * all", which loads the whole value from the core into a read-only text box (a 1 MB value stays scrollable
 * there without laying out a megabyte of inline text).
 */
function Value({ a, where, name, value }: { a: AlertView; where: keyof AlertCuts; name: string; value: string }) {
  const { t } = useTranslation('alerts');
  const cut = cutOf(a, where, name);
  const [whole, setWhole] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  if (!cut)
    return (
      <dd className="pre">
        <Revealed text={value} />
      </dd>
    );
  if (whole !== null)
    return (
      <dd>
        <textarea
          className="whole-value"
          readOnly
          rows={8}
          value={whole}
          aria-label={t('detail.wholeValue', { name: revealPlain(name) })}
        />
      </dd>
    );
  const load = () => {
    setFailed(null);
    vigil()
      .alertValue(a.fingerprint, where, cut.index)
      .then(
        (v) => (v ? setWhole(v.value) : setFailed(t('detail.valueGone'))),
        (err: Error) => setFailed(err.message),
      );
  };
  return (
    <dd className="pre">
      <Revealed text={value} />…{' '}
      <span className="muted">{t('detail.valueCut', { shown: value.length, length: cut.length })}</span>{' '}
      <button
        type="button"
        className="link"
        onClick={load}
        aria-label={t('detail.showAllOf', { name: revealPlain(name) })}
      >
        {t('detail.showAll')}
      </button>
      {failed && (
        <span role="alert" className="error">
          {' '}
          {failed}
        </span>
      )}
    </dd>
  );
}

/** The progress of the actions on this alert (pending, confirmed, failed with a retry). */
function ActionLog({ mine }: { mine: AlertAction[] }) {
  const { t, i18n } = useTranslation('alerts');
  if (mine.length === 0) return null;
  return (
    <section aria-label={t('detail.actionLog')}>
      <h3>{t('detail.actionLog')}</h3>
      <ul className="action-log">
        {mine.slice(0, 10).map((x) => (
          <li key={x.id} className={`progress-${x.state}`}>
            {t(`actionName.${x.type}`)}: <strong>{t(`progress.${x.state}`)}</strong>{' '}
            <span className="muted">{formatTime(x.updatedAt, i18n.language)}</span>
            {x.error && <div className="error">{x.error}</div>}
            {x.state === 'failed' && (
              <button type="button" onClick={() => void alerts.retry(x.id)}>
                {t('actions.retry')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
