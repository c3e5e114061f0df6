/**
 * The sign-in form: gateway address, personal token (or "the SSO proxy signs me in"), an optional company
 * CA file. The core tests them first (linkSignIn) and keeps nothing that failed; a failure says in words
 * what is wrong (a revoked token, a certificate for another host name, …).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LinkConfig, LinkTestResult } from '@shared/contract/link';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';

function failure(
  t: (k: string, o?: Record<string, unknown>) => string,
  r: Extract<LinkTestResult, { ok: false }>,
): string {
  if (r.code === 'auth_failed') return t(`failed.auth.${r.auth ?? 'wrong'}`);
  if (r.code === 'tls') return t(`failed.tls.${r.tls ?? 'other'}`);
  return t(`failed.${r.code}`);
}

export function SignIn({ onDone, onLater }: { onDone?: () => void; onLater?: () => void }) {
  const { t } = useTranslation('signin');
  const settings = useApp((s) => s.settings);
  const saveSettings = useApp((s) => s.saveSettings);
  const [config, setConfig] = useState<LinkConfig | null>(null);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [proxy, setProxy] = useState(settings?.platformSignIn === 'proxy');
  const [caFile, setCaFile] = useState(settings?.platformCaFile ?? '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<LinkTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { url: useId(), token: useId(), ca: useId(), proxy: useId(), result: useId() };

  useEffect(() => {
    void vigil()
      .linkConfig()
      .then(
        (c) => {
          setConfig(c);
          if (c.target !== 'embedded' && c.platformUrl) setUrl((u) => u || c.platformUrl!);
        },
        () => undefined,
      );
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await vigil().linkSignIn({
        ...(config?.lockedByCli ? {} : { url: url.trim() || undefined }),
        ...(proxy || !token.trim() ? {} : { token: token.trim() }),
        caFile: caFile.trim() || null,
      });
      setResult(r);
      if (r.ok) {
        setToken('');
        onDone?.();
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const needsToken = !proxy;
  return (
    <form className="stack signin" aria-label={t('form.title')} onSubmit={(e) => void submit(e)}>
      <p className="muted">{t('form.intro')}</p>
      <label htmlFor={ids.url}>{t('form.url')}</label>
      <input
        id={ids.url}
        value={url}
        disabled={!!config?.lockedByCli}
        placeholder={t('form.urlHint')}
        spellCheck={false}
        autoComplete="url"
        required
        onChange={(e) => setUrl(e.target.value)}
      />
      <label className="check" htmlFor={ids.proxy}>
        <input id={ids.proxy} type="checkbox" checked={proxy} onChange={(e) => setProxy(e.target.checked)} />
        {t('form.proxy')}
      </label>
      {proxy && <p className="muted">{t('form.proxyHint')}</p>}
      {needsToken && (
        <>
          <label htmlFor={ids.token}>{t('form.token')}</label>
          <input
            id={ids.token}
            type="password"
            value={token}
            autoComplete="off"
            spellCheck={false}
            required
            onChange={(e) => setToken(e.target.value)}
          />
          <p className="muted">{t('form.tokenHint', { where: t(`form.where.${config?.tokenStore ?? 'memory'}`) })}</p>
        </>
      )}
      <label htmlFor={ids.ca}>{t('form.ca')}</label>
      <input
        id={ids.ca}
        value={caFile}
        spellCheck={false}
        placeholder="/etc/ssl/company-ca.pem"
        onChange={(e) => setCaFile(e.target.value)}
      />
      <p className="muted">{t('form.caHint')}</p>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('form.running') : t('form.submit')}
        </button>
        {onLater && (
          <button type="button" onClick={onLater}>
            {t('form.later')}
          </button>
        )}
        {!config?.lockedByCli && settings?.platformUrl && (
          <button type="button" onClick={() => void saveSettings({ platformUrl: null }).then(() => onDone?.())}>
            {t('form.demo')}
          </button>
        )}
      </div>
      <div id={ids.result} role="status" aria-live="polite">
        {result?.ok && result.identity && (
          <p className="ok">{t('form.ok', { name: result.identity.name, role: t(`role.${result.identity.role}`) })}</p>
        )}
      </div>
      {result && !result.ok && (
        <div role="alert" className="error">
          <strong>{t('failed.title')}</strong> {failure(t, result)}
          {/* the platform's own words only where Vigil has none of its own to say what went wrong */}
          {(result.code === 'error' || result.code === 'protocol') && (
            <div className="muted">{t('failed.details', { message: result.message })}</div>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
