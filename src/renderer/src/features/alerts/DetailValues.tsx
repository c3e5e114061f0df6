/**
 * The alert detail's record of untrusted text: labels and annotations (never HTML), hidden characters drawn
 * as marked code points with a warning, and huge values cut by the core (alert-view.ts) with "show all".
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cutOf, type AlertCuts, type AlertView } from '@shared/alert-view';
import { isSafeExternalUrl } from '@shared/external-urls';
import { hiddenCharsIn, revealPlain } from '@shared/spoofing';
import { vigil } from '@renderer/api';
import { openExternalLink } from '@renderer/components/openLink';
import { Revealed } from '@renderer/components/Revealed';
import { errorText } from '@renderer/data/load';
import { Section } from './DetailParts';

const shortUrl = (u: string) => (u.length > 60 ? `${u.slice(0, 57)}…` : u);

/** The warning on an alert whose name or labels hide characters (zero-width, bidi overrides, controls). */
export function HiddenCharsWarning({ a }: { a: AlertView }) {
  const { t } = useTranslation('alerts');
  const where = hiddenCharsIn(a);
  if (where.length === 0) return null;
  return (
    <p role="alert" className="banner banner-warn hidden-chars-warning">
      {t('hiddenChars.warning', { where: where.map(revealPlain).join(', ').slice(0, 300) })}
    </p>
  );
}

export function LabelsSection({ alert: a }: { alert: AlertView }) {
  const { t } = useTranslation('alerts');
  return (
    <Section title={t('detail.labels')}>
      <dl className="kv">
        {Object.entries(a.labels).map(([k, v]) => (
          <div key={`${a.fingerprint}\u0000${k}`} translate="no">
            <dt>
              <Revealed text={k} />
            </dt>
            <Value a={a} where="labels" name={k} value={v} />
          </div>
        ))}
        <div>
          <dt>{t('detail.fingerprint')}</dt>
          <dd className="mono">{a.fingerprint}</dd>
        </div>
      </dl>
    </Section>
  );
}

export function AnnotationsSection({ alert: a }: { alert: AlertView }) {
  const { t } = useTranslation('alerts');
  const generatorUrl = a.generatorUrl;
  return (
    <Section title={t('detail.annotations')}>
      <dl className="kv">
        {Object.entries(a.annotations).map(([k, v]) => (
          <div key={`${a.fingerprint}\u0000${k}`}>
            <dt translate="no">
              <Revealed text={k} />
            </dt>
            <Value a={a} where="annotations" name={k} value={v} />
            {/* a URL is offered through the vetted opener only, and only whole (never a cut one) */}
            {!cutOf(a, 'annotations', k) && isSafeExternalUrl(v) && (
              <dd>
                <button type="button" className="link" onClick={() => void openExternalLink(v)}>
                  {t('detail.openLink', { url: shortUrl(v) })}
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
                {t('detail.openLink', { url: shortUrl(generatorUrl) })}
              </button>
            </dd>
          </div>
        )}
      </dl>
    </Section>
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
      <dd className="pre" translate="no">
        <Revealed text={value} />
      </dd>
    );
  if (whole !== null)
    return (
      <dd>
        <textarea className="whole-value" readOnly rows={8} value={whole} aria-label={t('detail.wholeValue', { name: revealPlain(name) })} />
      </dd>
    );
  const load = () => {
    setFailed(null);
    vigil()
      .alertValue(a.fingerprint, where, cut.index)
      .then(
        (v) => (v ? setWhole(v.value) : setFailed(t('detail.valueGone'))),
        (err: unknown) => setFailed(errorText(err)),
      );
  };
  return (
    <dd className="pre" translate="no">
      <Revealed text={value} />…{' '}
      <span className="muted">{t('detail.valueCut', { shown: value.length, length: cut.length })}</span>{' '}
      <button type="button" className="link" onClick={load} aria-label={t('detail.showAllOf', { name: revealPlain(name) })}>
        {t('detail.showAll')}
      </button>
      {failed && (
        <span role="alert" className="inline-error">
          {' '}
          {failed}
        </span>
      )}
    </dd>
  );
}
