/** Times in the roster view are shown in the zone the settings choose ('local' = this machine's). */
import { DateTime } from 'luxon';
import { formatClock, formatDayTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';

export function useViewZone(): string {
  const tz = useApp((s) => s.settings?.timeZone ?? 'local');
  return tz === 'local' || !DateTime.local().setZone(tz).isValid ? 'local' : tz;
}

export const zoneLabel = (zone: string) => (zone === 'local' ? DateTime.local().zoneName : zone);

/** in the locale's own order ("12月7日周一 02:00", "Mon, Dec 7, 02:00"), never one language's pattern */
export function fmtTime(at: number, zone: string, lang: string, withDay: boolean): string {
  return withDay ? formatDayTime(at, lang, zone) : formatClock(at, lang, zone);
}

/** a calendar column's day: "周一 12/7", "Mon 12/7" (the locale's weekday and numeric day) */
export function fmtDay(at: number, zone: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { weekday: 'short', month: 'numeric', day: 'numeric', timeZone: zone === 'local' ? undefined : zone }).format(at);
}

/** "in 3 h" / "in 2 d" in the current language, from luxon's relative formatter. */
export function fmtRelative(at: number, now: number, lang: string): string {
  return DateTime.fromMillis(at).setLocale(lang).toRelative({ base: DateTime.fromMillis(now), style: 'short' }) ?? '';
}

export const sameDay = (a: number, b: number, zone: string) =>
  DateTime.fromMillis(a, { zone }).hasSame(DateTime.fromMillis(b, { zone }), 'day');
