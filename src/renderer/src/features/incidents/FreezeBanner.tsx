/**
 * Shown on every screen while an open incident has its change-freeze flag on. Mount once in the app
 * frame, above the current view.
 */
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { useLive } from '@renderer/data/load';
import { useApp } from '@renderer/stores/app';
import { Banner } from '@renderer/ui';

export function FreezeBanner() {
  const { t } = useTranslation('incidents');
  const go = useApp((s) => s.go);
  const { data } = useLive(['incidents'], () => vigil().freezeState(), 'freeze');
  if (!data?.length) return null;
  const list = data.map((i) => `${i.id} ${i.severity} ${i.title}`).join('; ');
  return (
    <Banner
      tone="freeze"
      label={t('freeze.label')}
      actions={data.map((i) => (
        <button key={i.id} type="button" onClick={() => go('incidents', i.id)}>
          {t('freeze.open', { id: i.id })}
        </button>
      ))}
    >
      {t('freeze.text', { count: data.length, list })}
    </Banner>
  );
}
