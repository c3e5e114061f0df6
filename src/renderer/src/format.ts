import type { TFunction } from 'i18next';

/** "3 min ago" from a timestamp, in the current language; `never synced` for null. */
export function formatAge(t: TFunction, at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return t('common:age.never');
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 10) return t('common:age.justNow');
  if (s < 60) return t('common:age.seconds', { n: s });
  if (s < 3600) return t('common:age.minutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('common:age.hours', { n: Math.floor(s / 3600) });
  return t('common:age.days', { n: Math.floor(s / 86400) });
}

export function formatTime(at: number, lng: string): string {
  return new Date(at).toLocaleString(lng, { hour12: false });
}
