/**
 * Times, ages and durations in the current language, in the locale's own formats ("2025年12月7日 02:00",
 * "Dec 7, 2025, 02:00"), never a pattern spelled out in one language's order.
 */
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

const formats = new Map<string, Intl.DateTimeFormat>();
function format(lng: string, kind: 'dateTime' | 'time' | 'dayTime', zone?: string): Intl.DateTimeFormat {
  const key = `${lng}|${kind}|${zone ?? ''}`;
  let f = formats.get(key);
  if (!f) {
    const timeZone = zone && zone !== 'local' ? zone : undefined;
    const opts: Intl.DateTimeFormatOptions =
      kind === 'dateTime'
        ? { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone }
        : kind === 'time'
          ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }
          : { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
    try {
      f = new Intl.DateTimeFormat(lng, opts);
    } catch {
      // an unknown zone name: the machine's own zone rather than no time at all
      f = new Intl.DateTimeFormat(lng, { ...opts, timeZone: undefined });
    }
    formats.set(key, f);
  }
  return f;
}

/** date and time: "Dec 7, 2025, 02:00" / "2025年12月7日 02:00" */
export function formatTime(at: number, lng: string, zone?: string): string {
  return format(lng, 'dateTime', zone).format(at);
}

/** weekday, day and time, for the coming days: "Mon, Dec 7, 02:00" / "12月7日周一 02:00" */
export function formatDayTime(at: number, lng: string, zone?: string): string {
  return format(lng, 'dayTime', zone).format(at);
}

/** the time of day: "02:00" */
export function formatClock(at: number, lng: string, zone?: string): string {
  return format(lng, 'time', zone).format(at);
}
