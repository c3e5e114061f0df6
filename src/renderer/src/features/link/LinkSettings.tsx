/**
 * The platform fieldset: URL (saved with the Settings form), token (stored at once through the core; never
 * shown back), "test connection" with a clear result, and "reconnect now".
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LinkConfig, LinkTestResult } from '@shared/contract/link';
import { vigil } from '@renderer/api';
import { formatAge } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Field, FieldRow, InlineError, Toolbar } from '@renderer/ui';

interface Props {
  /** the URL being edited in the Settings form (null = the built-in demo gateway) */
  url: string | null;
  onUrlChange(url: string | null): void;
}

export function LinkSettings({ url, onUrlChange }: Props) {
  const { t } = useTranslation('link');
  const { t: tc } = useTranslation();
  const link = useApp((s) => s.link);
  const now = useApp((s) => s.now);
  const [config, setConfig] = useState<LinkConfig | null>(null);
  const [token, setToken] = useState('');
  const [tokenNote, setTokenNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<LinkTestResult | 'running' | null>(null);

  const reload = useCallback(() => {
    vigil()
      .linkConfig()
      .then(setConfig, (e: Error) => setError(e.message));
  }, []);
  // the link's target changes with its state (embedded gateway started, Settings saved)
  useEffect(reload, [reload, link?.platformUrl, link?.status]);

  const run = async (fn: () => Promise<void>) => {
    try {
      setError(null);
      await fn();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const storeToken = () =>
    run(async () => {
      const c = await vigil().linkSetToken(token);
      setConfig(c);
      setToken('');
      setTokenNote(t('token.stored', { where: t(`token.where.${c.tokenStore}`) }));
    });
  const removeToken = () =>
    run(async () => {
      setConfig(await vigil().linkSetToken(null));
      setTokenNote(t('token.removed'));
    });
  const testConnection = () =>
    run(async () => {
      setTest('running');
      setTest(await vigil().linkTest({ url: url ?? undefined, token: token.trim() || undefined }));
    });

  const locked = !!config?.lockedByCli;
  return (
    <div className="link-settings form">
      <Field label={tc('settings.platformUrl')}>
        <input
          value={url ?? ''}
          placeholder="wss://platform.example/vigil"
          disabled={locked}
          onChange={(e) => onUrlChange(e.target.value.trim() === '' ? null : e.target.value)}
        />
      </Field>
      {locked ? (
        <p className="muted">{t('token.cli')}</p>
      ) : url === null && config?.target === 'embedded' ? (
        <p className="muted">{t('token.embedded')}</p>
      ) : (
        <FieldRow>
          <Field label={t('token.label')} grow>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              placeholder={config?.hasToken ? t('token.placeholderStored') : t('token.placeholderNone')}
              onChange={(e) => setToken(e.target.value)}
            />
          </Field>
          <button type="button" className="field-row-button" disabled={!token.trim()} onClick={() => void storeToken()}>
            {t('token.store')}
          </button>
          {config?.hasToken && config.target !== 'embedded' && (
            <button type="button" className="field-row-button" onClick={() => void removeToken()}>
              {t('token.remove')}
            </button>
          )}
        </FieldRow>
      )}
      {tokenNote && <p className="muted">{tokenNote}</p>}
      <Toolbar>
        <button type="button" disabled={test === 'running'} onClick={() => void testConnection()}>
          {test === 'running' ? t('test.running') : t('test.button')}
        </button>
        <button type="button" onClick={() => void run(async () => void (await vigil().linkReconnect()))}>
          {t('reconnect')}
        </button>
      </Toolbar>
      <p role="status" aria-label={t('test.button')} className={test && test !== 'running' ? (test.ok ? 'tone-ok' : 'tone-danger') : undefined}>
        {test &&
          test !== 'running' &&
          (test.ok
            ? t('test.ok', { serverId: test.serverId, protocol: test.protocol, ms: test.latencyMs })
            : (
              <>
                {t('test.failed', { reason: t(`test.reason.${test.code}`) })}{' '}
                <span className="meta" translate="no">
                  {test.message}
                </span>
              </>
            ))}
      </p>
      {config && <p className="meta">{t(`target.${config.target}`, { url: config.platformUrl ?? '' })}</p>}
      {config && config.gateways.length > 1 && (
        <p className="meta" role="status" aria-label={t('target.replicaLabel')}>
          {t('target.replica', {
            n: Math.max(1, config.gateways.indexOf(config.platformUrl ?? '') + 1),
            count: config.gateways.length,
            url: config.platformUrl ?? '',
          })}
        </p>
      )}
      {link && <p className="meta">{t('lastSync', { age: formatAge(tc, link.lastSyncAt, now) })}</p>}
      <InlineError error={error} />
    </div>
  );
}
