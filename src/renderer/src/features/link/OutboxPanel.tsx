/**
 * The outbox: every action not yet confirmed by the platform, with its state and, for a failure, the
 * platform's reason and the choice to retry (as a new action) or discard. Refreshes on outbox changes.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItem } from '@shared/contract/link';
import { vigil } from '@renderer/api';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, Card, confirm, EmptyState, InlineError } from '@renderer/ui';
import { actionSubject } from './subject';

export function OutboxPanel() {
  const { t } = useTranslation('link');
  const { t: tc } = useTranslation();
  const now = useApp((s) => s.now);
  const [open, setOpen] = useState<OutboxItem[]>([]);
  const [recent, setRecent] = useState<OutboxItem[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    vigil()
      .outboxList()
      .then(
        (r) => {
          setOpen(r.open);
          setRecent(r.recent);
        },
        (e: Error) => setError(e.message),
      );
  }, []);
  useEffect(() => {
    load();
    const api = vigil();
    const offs = [api.on('dataChanged', (d) => d.collection === 'outbox' && load()), api.on('outboxResult', load)];
    return () => offs.forEach((off) => off());
  }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    try {
      setError(null);
      await fn();
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const failed = open.filter((e) => e.state === 'failed').length;
  const row = (e: OutboxItem, tools: boolean) => {
    const action = t(`action.${e.type}`);
    const subject = actionSubject(e.payload);
    return (
      <tr key={e.id} data-state={e.state}>
        <td>{action}</td>
        <td className="mono">{subject}</td>
        <td>{e.actor}</td>
        <td>{formatAge(tc, e.createdAt, now)}</td>
        <td>
          <Badge tone={e.state === 'failed' ? 'danger' : e.state === 'acked' ? 'ok' : e.state === 'discarded' ? 'neutral' : 'warn'}>{t(`outbox.state.${e.state}`)}</Badge>
          {e.attempts > 0 && <span className="muted"> · {t('outbox.attempts', { count: e.attempts })}</span>}
          {e.replacedBy && <span className="muted"> · {t('outbox.replaced')}</span>}
        </td>
        <td>{e.lastError}</td>
        {tools && (
          <td>
            {e.state === 'failed' && (
              <button
                type="button"
                aria-label={t('outbox.retryLabel', { action, subject })}
                onClick={() => void act(() => vigil().outboxRetry(e.id))}
              >
                {t('outbox.retry')}
              </button>
            )}
            {(e.state === 'failed' || e.state === 'pending') && (
              <button
                type="button"
                aria-label={t('outbox.discardLabel', { action, subject })}
                onClick={async () => {
                  const yes = await confirm({ title: t('outbox.confirmDiscard'), body: `${action} · ${subject}`, confirm: t('outbox.discard'), cancel: t('outbox.keep'), danger: true });
                  if (yes) await act(() => vigil().outboxDiscard(e.id));
                }}
              >
                {t('outbox.discard')}
              </button>
            )}
          </td>
        )}
      </tr>
    );
  };
  const head = (tools: boolean) => (
    <thead>
      <tr>
        <th scope="col">{t('outbox.col.action')}</th>
        <th scope="col">{t('outbox.col.subject')}</th>
        <th scope="col">{t('outbox.col.by')}</th>
        <th scope="col">{t('outbox.col.queued')}</th>
        <th scope="col">{t('outbox.col.state')}</th>
        <th scope="col">{t('outbox.col.reason')}</th>
        {tools && <th scope="col">{t('outbox.col.tools')}</th>}
      </tr>
    </thead>
  );

  return (
    <Card title={t('outbox.title')} className="outbox">
      {open.length === 0 ? (
        <EmptyState title={t('outbox.emptyTitle')} body={t('outbox.empty')} />
      ) : (
        <>
          <p>{t('outbox.summary', { waiting: open.length - failed, failed })}</p>
          <table aria-label={t('outbox.table')}>
            {head(true)}
            <tbody>{open.map((e) => row(e, true))}</tbody>
          </table>
        </>
      )}
      {recent.length > 0 && (
        <details>
          <summary>{t('outbox.recent', { count: recent.length })}</summary>
          <table aria-label={t('outbox.recentTable')}>
            {head(false)}
            <tbody>{recent.map((e) => row(e, false))}</tbody>
          </table>
        </details>
      )}
      <InlineError error={error} />
    </Card>
  );
}
