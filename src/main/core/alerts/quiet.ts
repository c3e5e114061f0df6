/** Quiet hours: a daily window in the configured time zone, possibly spanning midnight (22:00–07:00). */
import { DateTime } from 'luxon';
import type { Settings } from '@shared/domain';

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock minute of the day at `at` in `timeZone` ('local' = the machine's zone); null for an unknown zone. */
export function minuteOfDay(at: number, timeZone: string): number | null {
  const dt = DateTime.fromMillis(at, { zone: timeZone === 'local' ? 'local' : timeZone });
  return dt.isValid ? dt.hour * 60 + dt.minute : null;
}

/**
 * True when `at` falls inside the quiet window. start == end means the whole day. An unknown time zone
 * falls back to the machine's zone, so a typo in settings never silences everything.
 */
export function inQuietHours(at: number, s: Pick<Settings, 'quietHours' | 'timeZone'>): boolean {
  if (!s.quietHours.enabled) return false;
  const now = minuteOfDay(at, s.timeZone) ?? minuteOfDay(at, 'local')!;
  const start = minutesOf(s.quietHours.start);
  const end = minutesOf(s.quietHours.end);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}
