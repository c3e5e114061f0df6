/** The postmortem of a closed incident: rendered markdown (sanitised), in either language, copy and download. */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language } from '@shared/domain';
import type { Incident } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { copyText } from '@renderer/components/clipboard';
import { Markdown } from '@renderer/components/Markdown';
import { useLive } from '@renderer/data/load';
import { useApp } from '@renderer/stores/app';
import { InlineError, Select, Toolbar } from '@renderer/ui';
import { LANGUAGE_OPTIONS } from './CloseForm';

export function Postmortem({ incident }: { incident: Incident }) {
  const { t, i18n } = useTranslation('incidents');
  const toast = useApp((s) => s.toast);
  const headingId = useId();
  const [lng, setLng] = useState<Language>(i18n.language === 'zh-CN' ? 'zh-CN' : 'en');
  const { data: md, error } = useLive(['incidents'], () => vigil().incidentPostmortem(incident.id, lng), `${incident.id}:${lng}`);
  const download = () => {
    if (!md) return;
    const url = URL.createObjectURL(new Blob([md], { type: 'text/markdown;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${incident.id}.${lng}.md`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const copy = () =>
    md &&
    void copyText(md).then(
      () => toast({ level: 'success', title: t('status.copied') }),
      () => toast({ level: 'error', title: t('status.copyFailed') }),
    );
  return (
    <section className="card postmortem" aria-labelledby={headingId}>
      <div className="card-header">
        <h3 id={headingId} className="card-title">
          {t('postmortem.heading')}
        </h3>
        <Toolbar className="card-actions">
          <Select aria-label={t('postmortem.language')} value={lng} onChange={setLng} options={LANGUAGE_OPTIONS} />
          <button type="button" disabled={!md} onClick={copy}>
            {t('postmortem.copy')}
          </button>
          <button type="button" disabled={!md} onClick={download}>
            {t('postmortem.download')}
          </button>
        </Toolbar>
      </div>
      <InlineError error={error} />
      {/* the same sanitiser and vetted-link handling as runbooks: incident text is untrusted input */}
      <article aria-label={t('postmortem.heading')}>{md && <Markdown markdown={md} />}</article>
    </section>
  );
}
