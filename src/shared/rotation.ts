/**
 * Rotation math: who is on call at an instant, and when the next handover is. Pure (luxon only), so the
 * core, the renderer and the tests share one implementation.
 *
 * Shifts are laid out in wall-clock time in the rotation's zone: a weekly rotation handing over on
 * Mondays at 09:00 in Europe/Berlin hands over at 09:00 local on both sides of a DST change, so the
 * shift spanning the change is 167 or 169 hours long. Intervals are half-open: at the handover instant
 * the incoming person is on call.
 *
 * Precedence at an instant: a `cover` override (explicit window, wins even outside coverage hours) →
 * the rotation's coverage hours (outside them nobody is on call) → a `swap` (replaces one whole shift)
 * → the schedule.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS, type OnCallSegment, type Override, type Rotation, type RosterDocument } from './roster';

const HOUR = 3_600_000;

export const shiftHours = (rot: Rotation): number => (rot.type === 'weekly' ? 7 * 24 : rot.shiftHours);

/** Wall-clock arithmetic: local fields are carried as if they were UTC, then placed in the zone. */
function naive(dateIso: string, hhmm: string): DateTime {
  return DateTime.fromISO(`${dateIso}T${hhmm}`, { zone: 'utc' });
}

function localize(n: DateTime, zone: string): number {
  return DateTime.fromObject(
    { year: n.year, month: n.month, day: n.day, hour: n.hour, minute: n.minute },
    { zone },
  ).toMillis();
}

function naiveOf(t: number, zone: string): number {
  const l = DateTime.fromMillis(t, { zone });
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
}

/** The instant shift `i` begins (i = 0 is the first participant's first shift; negative = before the rota). */
export function shiftStart(rot: Rotation, i: number): number {
  return localize(naive(rot.start, rot.handover).plus({ hours: shiftHours(rot) * i }), rot.timeZone);
}

/** The index of the shift containing instant `t`. */
export function shiftIndexAt(rot: Rotation, t: number): number {
  const lenMs = shiftHours(rot) * HOUR;
  let i = Math.floor((naiveOf(t, rot.timeZone) - naive(rot.start, rot.handover).toMillis()) / lenMs);
  // The wall-clock estimate can be one off around a DST change; settle it against real instants.
  while (shiftStart(rot, i + 1) <= t) i++;
  while (shiftStart(rot, i) > t) i--;
  return i;
}

export const scheduledFor = (rot: Rotation, i: number): string | null =>
  i < 0 ? null : rot.participants[i % rot.participants.length];

function localAt(day: DateTime, hhmm: string, zone: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: h, minute: m }, { zone }).toMillis();
}

/** Coverage windows [start, end) of the local days that can touch [from, to). */
function coverageWindows(rot: Rotation, from: number, to: number): [number, number][] {
  const cov = rot.coverage;
  if (!cov) return [];
  const out: [number, number][] = [];
  const last = DateTime.fromMillis(to, { zone: rot.timeZone }).startOf('day');
  for (let d = DateTime.fromMillis(from, { zone: rot.timeZone }).startOf('day').minus({ days: 1 }); d <= last; d = d.plus({ days: 1 })) {
    if (!cov.days.includes(WEEKDAYS[d.weekday - 1])) continue;
    const s = localAt(d, cov.from, rot.timeZone);
    const e = localAt(cov.to > cov.from ? d : d.plus({ days: 1 }), cov.to, rot.timeZone);
    if (e > from && s < to) out.push([s, e]);
  }
  return out;
}

function parseLocal(s: string, zone: string): number {
  return DateTime.fromISO(s, { zone }).toMillis();
}

type Cover = { start: number; end: number; person: string; note: string | null };
type Swap = { person: string; scheduled: string | null; note: string | null };

/** The overrides of one rotation, resolved to instants (covers) and shift indexes (swaps). */
export interface ResolvedOverrides {
  covers: Cover[];
  swaps: Map<number, Swap>;
}

export function resolveOverrides(rot: Rotation, overrides: readonly Override[]): ResolvedOverrides {
  const covers: Cover[] = [];
  const swaps = new Map<number, Swap>();
  for (const o of overrides) {
    if (o.rotation !== rot.id) continue;
    if (o.type === 'cover') {
      const start = parseLocal(o.start, rot.timeZone);
      const end = parseLocal(o.end, rot.timeZone);
      if (end > start) covers.push({ start, end, person: o.person, note: o.note });
    } else {
      const a = shiftIndexAt(rot, localAt(DateTime.fromISO(o.shift, { zone: 'utc' }), rot.handover, rot.timeZone));
      const b = shiftIndexAt(rot, localAt(DateTime.fromISO(o.withShift, { zone: 'utc' }), rot.handover, rot.timeZone));
      swaps.set(a, { person: o.with, scheduled: scheduledFor(rot, a), note: o.note });
      swaps.set(b, { person: o.person, scheduled: scheduledFor(rot, b), note: o.note });
    }
  }
  return { covers, swaps };
}

type Who = Pick<OnCallSegment, 'personId' | 'override'>;

/** `windows` null = the rotation is staffed round the clock. */
function whoAt(rot: Rotation, ov: ResolvedOverrides, windows: [number, number][] | null, t: number): Who {
  const i = shiftIndexAt(rot, t);
  // The last cover listed wins, so a later correction in the document beats an earlier one.
  for (let k = ov.covers.length - 1; k >= 0; k--) {
    const c = ov.covers[k];
    if (c.start <= t && t < c.end) return { personId: c.person, override: { type: 'cover', note: c.note, scheduled: scheduledFor(rot, i) } };
  }
  if (windows && !windows.some(([s, e]) => s <= t && t < e)) return { personId: null, override: null };
  const swap = ov.swaps.get(i);
  if (swap) return { personId: swap.person, override: { type: 'swap', note: swap.note, scheduled: swap.scheduled } };
  return { personId: scheduledFor(rot, i), override: null };
}

const sameWho = (a: Who, b: Who) =>
  a.personId === b.personId && a.override?.type === b.override?.type && a.override?.note === b.override?.note;

/** Who is on call over [from, to), as merged contiguous segments (nobody = personId null). */
export function segments(rot: Rotation, overrides: readonly Override[] | ResolvedOverrides, from: number, to: number): OnCallSegment[] {
  if (!(to > from)) return [];
  const ov = Array.isArray(overrides) ? resolveOverrides(rot, overrides) : (overrides as ResolvedOverrides);
  const edges = new Set<number>([from]);
  for (let i = Math.max(0, shiftIndexAt(rot, from) + 1); ; i++) {
    const s = shiftStart(rot, i);
    if (s >= to) break;
    if (s > from) edges.add(s);
  }
  const windows = rot.coverage ? coverageWindows(rot, from, to) : null;
  for (const [s, e] of windows ?? []) for (const x of [s, e]) if (x > from && x < to) edges.add(x);
  for (const c of ov.covers) for (const x of [c.start, c.end]) if (x > from && x < to) edges.add(x);
  const points = [...edges].sort((a, b) => a - b);
  const out: OnCallSegment[] = [];
  points.forEach((start, k) => {
    const end = k + 1 < points.length ? points[k + 1] : to;
    const who = whoAt(rot, ov, windows, start);
    const prev = out[out.length - 1];
    if (prev && sameWho(prev, who)) prev.end = end;
    else out.push({ rotationId: rot.id, start, end, ...who });
  });
  return out;
}

/** Who is on call at `at` (with the true start of that stretch) and who comes next, within `horizonDays`. */
export function onCallAt(
  rot: Rotation,
  overrides: readonly Override[] | ResolvedOverrides,
  at: number,
  horizonDays = 62,
): { now: OnCallSegment; next: OnCallSegment | null } {
  const ov = Array.isArray(overrides) ? resolveOverrides(rot, overrides) : (overrides as ResolvedOverrides);
  // Look back far enough to find where the current stretch began (one shift, or the longest cover).
  const longestCover = ov.covers.reduce((m, c) => Math.max(m, c.end - c.start), 0);
  const back = Math.max(shiftHours(rot) * HOUR, longestCover, 24 * HOUR) + HOUR;
  // Look ahead a couple of shifts first (the usual case: the status bar asks every 15 s); only when the
  // next stretch is not complete inside that window, look as far as the horizon.
  const horizon = horizonDays * 24 * HOUR;
  const near = Math.min(horizon, 2 * Math.max(shiftHours(rot), 24) * HOUR + HOUR);
  for (const ahead of near < horizon ? [near, horizon] : [horizon]) {
    const segs = segments(rot, ov, at - back, at + ahead);
    const idx = segs.findIndex((s) => s.start <= at && at < s.end);
    // `next` is only trusted once a third stretch shows where it ends (or the horizon is reached).
    if (ahead === horizon || idx + 2 < segs.length) return { now: segs[idx], next: segs[idx + 1] ?? null };
  }
  throw new Error('unreachable');
}

/** The next instant after `at` where who is on call changes, or null beyond the horizon. */
export function nextHandover(rot: Rotation, overrides: readonly Override[], at: number, horizonDays = 62): number | null {
  return onCallAt(rot, overrides, at, horizonDays).next?.start ?? null;
}

export interface ScheduleProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks the document's overrides against the schedule (the schema checks shapes and references):
 * a cover must end after it starts; a swap must name two real shift starts, each scheduled for the
 * person the swap says.
 */
export function scheduleProblems(doc: RosterDocument): ScheduleProblem[] {
  const out: ScheduleProblem[] = [];
  const rotations = new Map(doc.rotations.map((r) => [r.id, r]));
  doc.overrides.forEach((o, i) => {
    const rot = rotations.get(o.rotation);
    if (!rot) return;
    if (o.type === 'cover') {
      const s = parseLocal(o.start, rot.timeZone);
      const e = parseLocal(o.end, rot.timeZone);
      if (!Number.isFinite(s)) out.push({ path: ['overrides', i, 'start'], message: `"${o.start}" is not a valid date-time` });
      else if (!Number.isFinite(e)) out.push({ path: ['overrides', i, 'end'], message: `"${o.end}" is not a valid date-time` });
      else if (e <= s) out.push({ path: ['overrides', i, 'end'], message: 'the cover ends before it starts' });
      return;
    }
    const check = (date: string, person: string, key: 'shift' | 'withShift') => {
      const at = localAt(DateTime.fromISO(date, { zone: 'utc' }), rot.handover, rot.timeZone);
      const idx = shiftIndexAt(rot, at);
      if (!Number.isFinite(at) || shiftStart(rot, idx) !== at) {
        out.push({
          path: ['overrides', i, key],
          message: `no shift of rotation "${rot.id}" begins on ${date} (shifts of ${shiftHours(rot)} h begin at ${rot.handover} from ${rot.start})`,
        });
        return;
      }
      const scheduled = scheduledFor(rot, idx);
      if (scheduled !== person)
        out.push({
          path: ['overrides', i, key],
          message: `"${person}" is not scheduled for the shift beginning ${date} (${scheduled ? `"${scheduled}" is` : 'nobody is'})`,
        });
    };
    check(o.shift, o.person, 'shift');
    check(o.withShift, o.with, 'withShift');
  });
  return out;
}
