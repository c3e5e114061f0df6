/** Times in the roster view are shown in the zone the settings choose ('local' = this machine's). */
import { DateTime } from 'luxon';
import { useApp } from '@renderer/stores/app';

export function useViewZone(): string {
  const tz = useApp((s) => s.settings?.timeZone ?? 'local');
  return tz === 'local' || !DateTime.local().setZone(tz).isValid ? 'local' : tz;
}

export const zoneLabel = (zone: string) => (zone === 'local' ? DateTime.local().zoneName : zone);

export function fmtTime(at: number, zone: string, lang: string, withDay: boolean): string {
  const d = DateTime.fromMillis(at, { zone }).setLocale(lang);
  return withDay ? d.toFormat('ccc d LLL HH:mm') : d.toFormat('HH:mm');
}

/** "in 3 h" / "in 2 d" in the current language, from luxon's relative formatter. */
export function fmtRelative(at: number, now: number, lang: string): string {
  return DateTime.fromMillis(at).setLocale(lang).toRelative({ base: DateTime.fromMillis(now), style: 'short' }) ?? '';
}

export const sameDay = (a: number, b: number, zone: string) =>
  DateTime.fromMillis(a, { zone }).hasSame(DateTime.fromMillis(b, { zone }), 'day');
