import { describe, expect, it } from 'vitest';
import { RosterDocumentSchema, type Override, type Rotation, type RosterDocumentInput } from '@shared/roster';
import { nextHandover, onCallAt, scheduleProblems, segments, shiftIndexAt, shiftStart } from '@shared/rotation';

const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);

function doc(input: Partial<RosterDocumentInput>) {
  return RosterDocumentSchema.parse({
    people: ['ana', 'bo', 'cy', 'di'].map((id) => ({ id, name: id.toUpperCase() })),
    teams: [{ id: 't', name: 'T', members: ['ana', 'bo', 'cy', 'di'] }],
    ...input,
  });
}
const rot = (r: Record<string, unknown>): Rotation =>
  doc({ rotations: [{ id: 'r', team: 't', name: 'R', participants: ['ana', 'bo', 'cy'], ...r } as never] }).rotations[0];

describe('weekly rotation', () => {
  const r = rot({ type: 'weekly', timeZone: 'Asia/Shanghai', start: '2026-01-05', handover: '10:00' });

  it('hands over at the handover time, cycling through participants', () => {
    expect(onCallAt(r, [], utc('2026-01-05T02:00:00Z')).now.personId).toBe('ana'); // 10:00 +08
    expect(onCallAt(r, [], utc('2026-01-12T01:59:59.999Z')).now.personId).toBe('ana');
    expect(onCallAt(r, [], utc('2026-01-12T02:00:00Z')).now.personId).toBe('bo');
    expect(onCallAt(r, [], utc('2026-01-19T02:00:00Z')).now.personId).toBe('cy');
    expect(onCallAt(r, [], utc('2026-01-26T02:00:00Z')).now.personId).toBe('ana');
  });

  it('nobody is on call before the rota starts', () => {
    const at = utc('2026-01-05T01:59:59Z');
    const { now, next } = onCallAt(r, [], at);
    expect(now.personId).toBeNull();
    expect(next?.personId).toBe('ana');
    expect(next?.start).toBe(utc('2026-01-05T02:00:00Z'));
  });

  it('at the shift boundary instant the incoming person is on call and the stretch starts there', () => {
    const boundary = utc('2026-01-12T02:00:00Z');
    const before = onCallAt(r, [], boundary - 1);
    expect(before.now).toMatchObject({ personId: 'ana', start: utc('2026-01-05T02:00:00Z'), end: boundary });
    expect(before.next).toMatchObject({ personId: 'bo', start: boundary });
    const at = onCallAt(r, [], boundary);
    expect(at.now).toMatchObject({ personId: 'bo', start: boundary, end: utc('2026-01-19T02:00:00Z') });
    expect(nextHandover(r, [], boundary - 1)).toBe(boundary);
    expect(nextHandover(r, [], boundary)).toBe(utc('2026-01-19T02:00:00Z'));
  });
});

describe('daylight saving time in Europe/Berlin', () => {
  const r = rot({ type: 'weekly', timeZone: 'Europe/Berlin', start: '2026-03-02', handover: '09:00' });

  it('keeps the 09:00 local handover across the spring change (a 167 h shift)', () => {
    // 2026-03-29 02:00 CET → 03:00 CEST
    const i = shiftIndexAt(r, utc('2026-03-25T12:00:00Z'));
    expect(shiftStart(r, i)).toBe(utc('2026-03-23T08:00:00Z')); // 09:00 CET
    expect(shiftStart(r, i + 1)).toBe(utc('2026-03-30T07:00:00Z')); // 09:00 CEST
    expect((shiftStart(r, i + 1) - shiftStart(r, i)) / H).toBe(167);
    expect(onCallAt(r, [], utc('2026-03-30T06:59:59Z')).now.personId).toBe('ana');
    expect(onCallAt(r, [], utc('2026-03-30T07:00:00Z')).now.personId).toBe('bo');
  });

  it('and across the autumn change (a 169 h shift)', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET
    const i = shiftIndexAt(r, utc('2026-10-22T12:00:00Z'));
    expect(shiftStart(r, i)).toBe(utc('2026-10-19T07:00:00Z'));
    expect(shiftStart(r, i + 1)).toBe(utc('2026-10-26T08:00:00Z'));
    expect((shiftStart(r, i + 1) - shiftStart(r, i)) / H).toBe(169);
  });

  it('a 12 h day/night rotation keeps 08:00 and 20:00 local; the night of the change is 11 h', () => {
    const dn = rot({ type: 'custom', shiftHours: 12, timeZone: 'Europe/Berlin', start: '2026-03-27', handover: '08:00' });
    const segs = segments(dn, [], utc('2026-03-28T19:00:00Z'), utc('2026-03-29T19:00:00Z'));
    expect(segs.map((s) => [new Date(s.start).toISOString(), s.personId])).toEqual([
      ['2026-03-28T19:00:00.000Z', 'ana'], // Sat 20:00 CET, shift 3
      ['2026-03-29T06:00:00.000Z', 'bo'], // Sun 08:00 CEST
      ['2026-03-29T18:00:00.000Z', 'cy'], // Sun 20:00 CEST
    ]);
    expect((segs[1].start - segs[0].start) / H).toBe(11);
  });
});

describe('custom rotation', () => {
  it('daily shifts cycle through the participants', () => {
    const r = rot({ type: 'custom', shiftHours: 24, timeZone: 'UTC', start: '2026-01-01', handover: '00:00' });
    const segs = segments(r, [], utc('2026-01-01T00:00:00Z'), utc('2026-01-05T00:00:00Z'));
    expect(segs.map((s) => s.personId)).toEqual(['ana', 'bo', 'cy', 'ana']);
    expect(segs.every((s) => s.end - s.start === 24 * H)).toBe(true);
  });

  it('coverage hours leave nobody on call outside them (second line in office hours)', () => {
    const r = rot({
      type: 'weekly',
      timeZone: 'Asia/Shanghai',
      start: '2026-01-05',
      handover: '10:00',
      coverage: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
    });
    expect(onCallAt(r, [], utc('2026-01-06T00:59:00Z')).now.personId).toBeNull(); // Tue 08:59
    expect(onCallAt(r, [], utc('2026-01-06T01:00:00Z')).now.personId).toBe('ana'); // Tue 09:00
    expect(onCallAt(r, [], utc('2026-01-06T10:00:00Z')).now.personId).toBeNull(); // Tue 18:00
    const sat = onCallAt(r, [], utc('2026-01-10T04:00:00Z'));
    expect(sat.now.personId).toBeNull();
    expect(sat.next).toMatchObject({ personId: 'ana', start: utc('2026-01-12T01:00:00Z') }); // Mon 09:00, before the 10:00 handover
  });
});

describe('overrides', () => {
  const base = { type: 'weekly', timeZone: 'Asia/Shanghai', start: '2026-01-05', handover: '10:00' };

  it('a cover replaces whoever is scheduled for its window, and only that window', () => {
    const overrides: Override[] = doc({
      rotations: [{ id: 'r', team: 't', name: 'R', participants: ['ana', 'bo', 'cy'], ...base } as never],
      overrides: [{ type: 'cover', rotation: 'r', person: 'di', start: '2026-01-07T18:00', end: '2026-01-08T09:00', note: 'dentist' }],
    }).overrides;
    const r = rot(base);
    const segs = segments(r, overrides, utc('2026-01-05T02:00:00Z'), utc('2026-01-12T02:00:00Z'));
    expect(segs.map((s) => [s.personId, s.override?.type ?? null])).toEqual([
      ['ana', null],
      ['di', 'cover'],
      ['ana', null],
    ]);
    expect(segs[1]).toMatchObject({ start: utc('2026-01-07T10:00:00Z'), end: utc('2026-01-08T01:00:00Z') });
    expect(segs[1].override).toEqual({ type: 'cover', note: 'dentist', scheduled: 'ana' });
    const during = onCallAt(r, overrides, utc('2026-01-07T12:00:00Z'));
    expect(during.now.personId).toBe('di');
    expect(during.next).toMatchObject({ personId: 'ana', start: utc('2026-01-08T01:00:00Z') });
  });

  it('a swap exchanges two whole shifts', () => {
    const d = doc({
      rotations: [{ id: 'r', team: 't', name: 'R', participants: ['ana', 'bo', 'cy'], ...base } as never],
      overrides: [{ type: 'swap', rotation: 'r', person: 'ana', with: 'cy', shift: '2026-01-05', withShift: '2026-01-19' }],
    });
    const segs = segments(d.rotations[0], d.overrides, utc('2026-01-05T02:00:00Z'), utc('2026-01-26T02:00:00Z'));
    expect(segs.map((s) => [s.personId, s.override?.scheduled ?? null])).toEqual([
      ['cy', 'ana'],
      ['bo', null],
      ['ana', 'cy'],
    ]);
    expect(scheduleProblems(d)).toEqual([]);
  });

  it('reports a swap that names the wrong person or no shift start, and a cover that ends before it starts', () => {
    const d = doc({
      rotations: [{ id: 'r', team: 't', name: 'R', participants: ['ana', 'bo', 'cy'], ...base } as never],
      overrides: [
        { type: 'swap', rotation: 'r', person: 'bo', with: 'cy', shift: '2026-01-05', withShift: '2026-01-20' },
        { type: 'cover', rotation: 'r', person: 'di', start: '2026-01-08T09:00', end: '2026-01-07T18:00' },
      ],
    });
    const problems = scheduleProblems(d);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatchObject({ path: ['overrides', 0, 'shift'], message: expect.stringContaining('"ana" is') });
    expect(problems[1]).toMatchObject({ path: ['overrides', 0, 'withShift'], message: expect.stringContaining('no shift') });
    expect(problems[2]).toMatchObject({ path: ['overrides', 1, 'end'], message: 'the cover ends before it starts' });
  });
});

describe('roster document schema', () => {
  it('names every dangling reference with its path', () => {
    const res = RosterDocumentSchema.safeParse({
      people: [{ id: 'ana', name: 'Ana' }],
      teams: [{ id: 't', name: 'T', members: ['ana', 'ghost'] }],
      rotations: [{ id: 'r', team: 'nope', name: 'R', type: 'weekly', timeZone: 'Mars/Olympus', start: '2026-02-30', handover: '25:00', participants: ['ana'] }],
      policies: [{ id: 'p', name: 'P', levels: [{ afterMinutes: 0, targets: [{ rotation: 'r2' }] }] }],
    });
    expect(res.success).toBe(false);
    const msgs = res.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rotations\.0\.timeZone: "Mars\/Olympus" is not an IANA time zone/),
        expect.stringMatching(/^rotations\.0\.start: 2026-02-30 is not a calendar date/),
        expect.stringMatching(/^rotations\.0\.handover: expected a time as HH:MM/),
      ]),
    );
  });

  it('checks references once the shapes are right', () => {
    const res = RosterDocumentSchema.safeParse({
      people: [{ id: 'ana', name: 'Ana' }],
      teams: [{ id: 't', name: 'T', members: ['ana', 'ghost'] }],
      rotations: [{ id: 'r', team: 'nope', name: 'R', type: 'weekly', timeZone: 'UTC', start: '2026-02-02', handover: '09:00', participants: ['ana'] }],
      policies: [{ id: 'p', name: 'P', levels: [{ afterMinutes: 0, targets: [{ rotation: 'r2' }] }] }],
    });
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'teams.0.members.1: unknown person "ghost"',
      'rotations.0.team: unknown team "nope"',
      'policies.0.levels.0.targets.0.rotation: unknown rotation "r2"',
    ]);
  });
});
