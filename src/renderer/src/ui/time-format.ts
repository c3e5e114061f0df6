/**
 * How time-of-day and date fields read and write text in the page's language, instead of the browser's
 * native pickers (which follow the browser's locale: AM/PM inside a zh-CN page under an en browser).
 *   - zh-CN: 24-hour HH:mm, dates YYYY-MM-DD (as Chinese ops consoles write them).
 *   - en: the user's locale format — 12-hour with AM/PM where their English locale uses it (en-US),
 *     24-hour where it does not (en-GB); dates in their locale's day/month/year order.
 * Values stay canonical ('HH:mm', 'YYYY-MM-DD'); only the text in the box follows the language. Pure.
 */
import type { Language } from '@shared/domain';

export interface TimeFormat {
  hour12: boolean;
  /** an example in this format, for the hint and the error */
  example: string;
}

/** the English locale to follow: the browser's when it is an English one, else en-US */
const englishLocale = (locale: string) => (/^en\b/i.test(locale) ? locale : 'en-US');

export function timeFormatOf(lng: Language, locale: string): TimeFormat {
  if (lng === 'zh-CN') return { hour12: false, example: '22:00' };
  let hour12 = true;
  try {
    const cycle = new Intl.DateTimeFormat(englishLocale(locale), { hour: 'numeric' }).resolvedOptions().hourCycle;
    hour12 = cycle === 'h11' || cycle === 'h12';
  } catch {
    // an unknown locale: the en-US default
  }
  return { hour12, example: hour12 ? '10:00 PM' : '22:00' };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 'HH:mm' → the text in the box ("22:00", "10:00 PM"); anything else is shown as it is */
export function formatTimeText(value: string, f: TimeFormat): string {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) return value;
  const h = Number(m[1]);
  if (!f.hour12) return value;
  return `${h % 12 === 0 ? 12 : h % 12}:${m[2]} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * The text someone typed → 'HH:mm', or null when it is not a time. Takes "22:00", "7:05", "2230", "7",
 * "10 pm", "10:30PM", "下午3:00" in either language (a person types what they are used to).
 */
export function parseTimeText(text: string): string | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^(上午|凌晨|早上|中午|下午|晚上)?\s*(\d{1,2})(?:[:：.]?(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|上午|下午|晚上)?$/.exec(s);
  if (!m) return null;
  let h = Number(m[2]);
  const min = m[3] === undefined ? 0 : Number(m[3]);
  const mark = m[1] ?? m[4];
  if (min > 59) return null;
  if (mark) {
    const pm = /^p|下午|晚上/.test(mark) || (mark === '中午' && h < 11);
    if (h < 1 || h > 12) return null;
    if (pm && h < 12) h += 12;
    if (!pm && h === 12) h = 0;
  }
  if (h > 23) return null;
  return `${pad(h)}:${pad(min)}`;
}

/** 'HH:mm' moved by `minutes`, round the clock */
export function stepTime(value: string, minutes: number): string {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  const at = m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  const next = (((at + minutes) % 1440) + 1440) % 1440;
  return `${pad(Math.floor(next / 60))}:${pad(next % 60)}`;
}

export interface DateFormat {
  /** the order the parts are written in */
  order: ('y' | 'm' | 'd')[];
  sep: string;
  example: string;
}

export function dateFormatOf(lng: Language, locale: string): DateFormat {
  if (lng === 'zh-CN') return { order: ['y', 'm', 'd'], sep: '-', example: '2026-12-31' };
  let order: DateFormat['order'] = ['m', 'd', 'y'];
  let sep = '/';
  try {
    const parts = new Intl.DateTimeFormat(englishLocale(locale), { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).formatToParts(
      Date.UTC(2026, 11, 31),
    );
    const seen = parts.filter((p) => p.type === 'year' || p.type === 'month' || p.type === 'day').map((p) => p.type[0] as 'y' | 'm' | 'd');
    if (seen.length === 3) order = seen;
    sep = parts.find((p) => p.type === 'literal')?.value ?? '/';
  } catch {
    // an unknown locale: the en-US default
  }
  const f = { order, sep, example: '' };
  return { ...f, example: formatDateText('2026-12-31', f) };
}

/** 'YYYY-MM-DD' → the text in the box; anything else (an empty value) as it is */
export function formatDateText(value: string, f: DateFormat): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  const part = { y: m[1], m: m[2], d: m[3] };
  return f.order.map((k) => part[k]).join(f.sep);
}

function validDate(y: number, m: number, d: number): string | null {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** The text someone typed → 'YYYY-MM-DD', or null. ISO (2026-12-31) always; else the format's order. */
export function parseDateText(text: string, f: DateFormat): string | null {
  const s = text.trim();
  const iso = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const nums = s.split(/[^\d]+/).filter(Boolean).map(Number);
  if (nums.length !== 3) return null;
  const part: Record<'y' | 'm' | 'd', number> = { y: 0, m: 0, d: 0 };
  f.order.forEach((k, i) => (part[k] = nums[i]));
  if (part.y < 100) part.y += 2000;
  return validDate(part.y, part.m, part.d);
}

/** 'YYYY-MM-DD' moved by `days` */
export function stepDate(value: string, days: number, today: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m) return value;
  const dt = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())}`;
}
