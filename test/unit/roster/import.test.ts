import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { createHarness, DEMO_YAML, fixture, importDemo, type Harness } from './harness';

let h: Harness;
afterEach(() => h?.cleanup());

const rosterCount = () => (h.db.prepare('SELECT COUNT(*) AS n FROM rosters').get() as { n: number }).n;

describe('YAML import', () => {
  it('imports the demo roster and fills people and escalation levels', async () => {
    h = createHarness();
    const res = await importDemo(h);
    expect(res).toMatchObject({ ok: true, stored: true, rosterId: 'demo', counts: { people: 17, teams: 4, rotations: 6, overrides: 2, policies: 5 } });
    const levels = h.db.prepare("SELECT level, after_min, targets FROM escalation_levels WHERE roster_id = 'demo' AND policy_id = 'ozon-p1' ORDER BY level").all();
    expect(levels).toEqual([
      { level: 1, after_min: 0, targets: '[{"rotation":"ozon-primary"}]' },
      { level: 2, after_min: 10, targets: '[{"rotation":"ozon-secondary"}]' },
      { level: 3, after_min: 20, targets: '[{"person":"karin.holm"}]' },
      { level: 4, after_min: 30, targets: '[{"person":"olga.sand"}]' },
    ]);
    expect((h.db.prepare("SELECT COUNT(*) AS n FROM people WHERE roster_id = 'demo'").get() as { n: number }).n).toBe(17);
    expect(h.events).toContainEqual({ name: 'dataChanged', payload: { collection: 'rosters', ids: ['demo'] } });
  });

  it('reports every shape error with its line and path, and stores nothing', async () => {
    h = createHarness();
    const res = await h.roster.handlers.rosterImport({ format: 'yaml', text: fixture('bad.yaml') });
    expect(res.ok).toBe(false);
    expect(res.stored).toBe(false);
    const lines = res.issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^6 people\[0\]\.phone: a phone number has digits/),
        expect.stringMatching(/^9 people\[1\]\.email: not an e-mail address/),
        expect.stringMatching(/^19 rotations\[0\]\.timeZone: "Asia\/Shanghia" is not an IANA time zone/),
        expect.stringMatching(/^21 rotations\[0\]\.handover: expected a time as HH:MM/),
        expect.stringMatching(/^27 policies\[0\]\.levels\[0\]\.afterMinutes: /),
      ]),
    );
    expect(rosterCount()).toBe(0);
  });

  it('reports dangling references and a swap that does not fit the schedule', async () => {
    h = createHarness();
    const res = await h.roster.handlers.rosterImport({ format: 'yaml', text: fixture('bad-refs.yaml') });
    expect(res.issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '14 rotations[0].participants[1]: unknown person "zed"',
      '21 policies[0].levels[0].targets[0].rotation: unknown rotation "nope"',
    ]);
    const fixed = fixture('bad-refs.yaml').replace('[ana, zed]', '[ana]').replace('rotation: nope', 'rotation: r');
    const again = await h.roster.handlers.rosterImport({ format: 'yaml', text: fixed });
    expect(again.issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '16 overrides[0].shift: no shift of rotation "r" begins on 2026-01-06 (shifts of 168 h begin at 09:00 from 2026-01-05)',
    ]);
    expect(rosterCount()).toBe(0);
  });

  it('reports YAML syntax errors with their line', async () => {
    h = createHarness();
    const res = await h.roster.handlers.rosterImport({ format: 'yaml', text: fixture('syntax.yaml') });
    expect(res.ok).toBe(false);
    expect(res.issues[0].message).toMatch(/^YAML syntax:/);
    expect(res.issues[0].line).toBeGreaterThanOrEqual(4);
  });

  it('needs a roster id, and a dry run stores nothing', async () => {
    h = createHarness();
    const noId = await h.roster.handlers.rosterImport({ format: 'yaml', text: 'people: []\n' });
    expect(noId.issues).toEqual([{ line: 1, row: null, path: 'id', message: 'the roster needs an id: add `id:` at the top of the file' }]);
    const dry = await h.roster.handlers.rosterImport({ format: 'yaml', text: DEMO_YAML, dryRun: true });
    expect(dry).toMatchObject({ ok: true, stored: false, rosterId: 'demo' });
    expect(rosterCount()).toBe(0);
  });
});

describe('CSV import', () => {
  it('merges a contact sheet into a roster, creating teams and ids', async () => {
    h = createHarness();
    await importDemo(h);
    const res = await h.roster.handlers.rosterImport({ format: 'csv', text: fixture('people.csv'), rosterId: 'demo' });
    expect(res).toMatchObject({ ok: true, stored: true, rosterId: 'demo', counts: { people: 20, teams: 5 } });
    const people = h.db.prepare("SELECT id, name, phone, im FROM people WHERE roster_id = 'demo' AND id IN ('li.na', 'erik.lund', 'zhang.wei') ORDER BY id").all();
    expect(people).toEqual([
      { id: 'erik.lund', name: 'Erik Lund', phone: '+46 70 555 9002', im: JSON.stringify({ slack: null, dingtalk: null, teams: 'erik.lund@vigil-demo.example', wecom: null }) },
      { id: 'li.na', name: 'Li Na', phone: '+86 131 5550 9001', im: JSON.stringify({ slack: 'U0LINA0001', dingtalk: 'lina_sre', teams: null, wecom: 'lina' }) },
      { id: 'zhang.wei', name: '张伟', phone: '+86 131 5550 9003', im: JSON.stringify({ slack: null, dingtalk: 'zhangwei_ozon', teams: null, wecom: null }) },
    ]);
    const [roster] = h.db.prepare("SELECT document FROM rosters WHERE id = 'demo'").all() as { document: string }[];
    const doc = JSON.parse(roster.document);
    expect(doc.teams.find((t: { id: string }) => t.id === 'night-shift')).toMatchObject({ name: 'night-shift', members: ['li.na'] });
    expect(doc.rotations).toHaveLength(6); // the rest of the roster is untouched
  });

  it('reports each bad row with its row and line number, and stores nothing', async () => {
    h = createHarness();
    const res = await h.roster.handlers.rosterImport({ format: 'csv', text: fixture('people-bad.csv') });
    expect(res.ok).toBe(false);
    expect(res.issues.map((i) => `row ${i.row} (line ${i.line}) ${i.path}: ${i.message}`)).toEqual([
      'row 2 (line 3) phone: a phone number has digits, spaces, "+", "-", "(", ")" and "." only',
      'row 3 (line 4) email: not an e-mail address',
      'row 4 (line 5) id: no id: add an "id" column (the name has no letters an id can be made from)',
      'row 5 (line 6) id: duplicate id "li.na" (also row 1)',
      'row 6 (line 7) (row): has 2 fields, the header has 5',
      'row 7 (line 8) slack: a Slack member id looks like U012AB3CD',
    ]);
    expect(rosterCount()).toBe(0);
  });

  it('refuses unknown columns and files without a name column', async () => {
    h = createHarness();
    const unknown = await h.roster.handlers.rosterImport({ format: 'csv', text: fixture('unknown-column.csv') });
    expect(unknown.issues).toEqual([expect.objectContaining({ row: 0, line: 1, path: 'pager', message: expect.stringContaining('unknown column "pager"') })]);
    const noName = await h.roster.handlers.rosterImport({ format: 'csv', text: 'id,phone\nana,+1 555 0100\n' });
    expect(noName.issues.map((i) => i.message)).toEqual(['a "name" column is required']);
    const quote = await h.roster.handlers.rosterImport({ format: 'csv', text: 'name,phone\n"Ana,+1 555 0100\n' });
    expect(quote.issues[0].message).toMatch(/^CSV: /);
    expect(rosterCount()).toBe(0);
  });
});

describe('platform sync', () => {
  it('a roster.upsert with a bad document changes nothing and says why', async () => {
    h = createHarness();
    await importDemo(h);
    const upsert = h.roster.appliers!.find((a) => a.kind === 'roster.upsert')!;
    const out = upsert.apply({ id: 'demo', name: 'Demo', updatedAt: 1, document: { people: [{ id: 'x' }] } }, { seq: 1, at: 1 });
    expect(out).toBeNull();
    expect((h.db.prepare("SELECT COUNT(*) AS n FROM people WHERE roster_id = 'demo'").get() as { n: number }).n).toBe(17);
    expect(h.events.at(-1)).toMatchObject({ name: 'toast', payload: { level: 'error', body: expect.stringContaining('people[0].name') } });
  });

  it('a good roster.upsert replaces people and levels and feeds on-call', () => {
    h = createHarness({ clock: new FakeClock(Date.UTC(2026, 0, 5, 9, 0)) });
    const upsert = h.roster.appliers!.find((a) => a.kind === 'roster.upsert')!;
    const document = {
      people: [{ id: 'ana', name: 'Ana', phone: '+1 555 0100' }, { id: 'bo', name: 'Bo' }],
      teams: [{ id: 't', name: 'Team' }],
      rotations: [{ id: 'r', team: 't', name: 'Primary', type: 'weekly', timeZone: 'UTC', start: '2026-01-05', handover: '09:00', participants: ['ana', 'bo'] }],
    };
    expect(upsert.apply({ id: 'p1', name: 'Platform', updatedAt: 5, document }, { seq: 1, at: 5 })).toBe('rosters');
    const onCall = h.roster.handlers.rosterOnCall(undefined);
    expect(onCall).toMatchObject([
      { rosterId: 'p1', teamName: 'Team', rotationId: 'r', now: { personId: 'ana', person: { name: 'Ana' } }, next: { personId: 'bo', start: Date.UTC(2026, 0, 12, 9, 0) } },
    ]);
  });

  it('an import never turns a platform roster into a local copy (issue #18): CSV or YAML into its id is refused', async () => {
    h = createHarness();
    const upsert = h.roster.appliers!.find((a) => a.kind === 'roster.upsert')!;
    const document = { people: [{ id: 'ana', name: 'Ana' }], teams: [], rotations: [] };
    upsert.apply({ id: 'p1', name: 'Platform', updatedAt: 5, document }, { seq: 1, at: 5 });
    const csv = await h.roster.handlers.rosterImport({ format: 'csv', text: 'name,phone\nBo,+1 555 0101\n', rosterId: 'p1' });
    expect(csv).toMatchObject({ ok: false, stored: false, rosterId: 'p1' });
    expect(csv.issues.map((i) => i.message)).toEqual(['roster "p1" comes from the platform; import into a local roster (another id, e.g. "local") instead']);
    const yaml = await h.roster.handlers.rosterImport({ format: 'yaml', text: 'id: p1\nname: Mine\npeople: [{ id: bo, name: Bo }]\n' });
    expect(yaml).toMatchObject({ ok: false, stored: false });
    expect(h.db.prepare("SELECT origin FROM rosters WHERE id = 'p1'").get()).toEqual({ origin: 'platform' });
    expect((h.db.prepare("SELECT COUNT(*) AS n FROM people WHERE roster_id = 'p1'").get() as { n: number }).n).toBe(1);
    // the default target of a contact sheet is the local roster, which the platform never touches
    expect(await h.roster.handlers.rosterImport({ format: 'csv', text: 'name,phone\nBo,+1 555 0101\n' })).toMatchObject({ ok: true, stored: true, rosterId: 'local' });
  });
});
