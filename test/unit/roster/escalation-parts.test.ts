/**
 * The escalation engine's parts on their own: the ladder rows' guarded moves, the policy index and who
 * a level reaches, the pass loop, the console's view of a ladder, and the notification texts in both
 * languages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import type { RosterPerson } from '@shared/roster';
import { createPassLoop } from '@node/pass-loop';
import { ladderState } from '@core/roster/escalation';
import { createLadderStore, type LadderRow } from '@core/roster/ladder-store';
import { describePerson, escalatedText, reminderText, rosterText } from '@core/roster/messages';
import { computeReach, createPolicyIndex, policyRefs } from '@core/roster/policy-index';
import { createRosterStore } from '@core/roster/store';
import type { Subject } from '@core/roster/subjects';
import { silentLogger } from '@node/log';
import { parse as parseYaml } from 'yaml';
import { DEMO_YAML, createHarness, importDemo, type Harness } from './harness';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0); // 17:00 in Shanghai, a Monday

let h: Harness;
afterEach(() => h?.cleanup());

describe('ladder rows', () => {
  it('move up once and stop once, however often a pass asks', () => {
    h = createHarness({ clock: new FakeClock(T0) });
    const ladders = createLadderStore(h.db);
    const row = ladders.begin('alert', 'fp1', 'demo', 'ozon-p1', T0);
    expect(row).toMatchObject({ level: 0, level_at: T0, stopped_at: null, reminded_at: null });
    expect(ladders.advance(row, 2, T0 + 10 * MIN, T0 + 10 * MIN)).toBe(true);
    expect(ladders.advance(row, 2, T0 + 10 * MIN, T0 + 11 * MIN)).toBe(false);
    expect(ladders.advance(row, 1, T0, T0 + 11 * MIN)).toBe(false);
    expect(ladders.stop(row, 'acked', T0 + 12 * MIN)).toBe(true);
    expect(ladders.stop(row, 'acked', T0 + 13 * MIN)).toBe(false);
    expect(ladders.advance(row, 3, T0 + 30 * MIN, T0 + 30 * MIN)).toBe(false);
    expect(ladders.get('alert', 'fp1')).toMatchObject({ level: 2, stopped_at: T0 + 12 * MIN, stop_reason: 'acked' });
    expect(ladders.open()).toEqual([]);
    expect(ladders.recent(T0 + 12 * MIN).map((r) => r.subject_id)).toEqual(['fp1']);
    expect(ladders.recent(T0 + 13 * MIN)).toEqual([]);
    // needed again: starts afresh
    expect(ladders.begin('alert', 'fp1', 'demo', 'ozon-p1', T0 + 60 * MIN)).toMatchObject({ level: 0, stopped_at: null, started_at: T0 + 60 * MIN });
  });
});

describe('policy index', () => {
  it('turns levels into offsets from the ladder’s start and says who each level reaches', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    const refs = policyRefs(storeOf(h).all());
    const ozon = refs.find((r) => r.policy.id === 'ozon-p1')!;
    expect(ozon.offsets.map((o) => o / MIN)).toEqual([0, 10, 30, 60]);
    expect(computeReach(ozon, 1, T0).people.map((p) => p.name)).toEqual(['Fang Qi']);
    expect(computeReach(ozon, 3, T0).people.map((p) => p.name)).toEqual(['Karin Holm']);
    expect(computeReach(ozon, 9, T0)).toEqual({ people: [], unstaffed: [] });
  });

  it('is rebuilt only when the rosters change, and remembers who a level reaches per instant', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    await importDemo(h);
    // the store hands out the same array until a roster is written
    let rosters = storeOf(h).all();
    const index = createPolicyIndex({ all: () => rosters });
    const first = index.policies();
    expect(index.policies()).toBe(first);
    const ref = first.find((r) => r.policy.id === 'ozon-p1')!;
    expect(index.reach(ref, 1, T0)).toBe(index.reach(ref, 1, T0));
    expect(index.reach(ref, 1, T0 + 1)).not.toBe(index.reach(ref, 1, T0));
    rosters = [...rosters];
    expect(index.policies()).not.toBe(first);
    expect(index.policies()).toEqual(first);
  });
});

/** the roster store the module uses is its own; a second one on the same database reads the same rows */
function storeOf(h: Harness) {
  return createRosterStore(h.db, silentLogger);
}

describe('pass loop', () => {
  it('runs at once, then when the pass asks, at least every tick; poke brings the next pass forward', () => {
    const clock = new FakeClock(T0);
    const runs: number[] = [];
    /** ms after a pass that it asks to run again (null: nothing due) */
    let after: number | null = null;
    const pass = () => (runs.push(clock.now() - T0), after === null ? Infinity : clock.now() + after);
    const loop = createPassLoop(clock, 15_000, pass, () => {});
    loop.poke(); // not started: nothing
    clock.advance(60_000);
    expect(runs).toEqual([]);
    loop.start();
    clock.advance(0);
    expect(runs).toEqual([60_000]);
    after = 5_000;
    clock.advance(15_000); // the tick
    expect(runs).toEqual([60_000, 75_000]);
    clock.advance(5_000); // asked for
    expect(runs).toEqual([60_000, 75_000, 80_000]);
    after = null;
    clock.advance(1_000);
    loop.poke();
    clock.advance(0);
    expect(runs).toEqual([60_000, 75_000, 80_000, 81_000]);
    loop.stop();
    clock.advance(60_000);
    expect(runs).toHaveLength(4);
  });

  it('goes on after a failing pass, and reports it', () => {
    const clock = new FakeClock(T0);
    const errors: unknown[] = [];
    let calls = 0;
    const loop = createPassLoop(
      clock,
      1_000,
      () => {
        calls++;
        throw new Error('db locked');
      },
      (err) => errors.push(err),
    );
    loop.start();
    clock.advance(2_000);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(3);
    loop.stop();
  });
});

describe('the console’s view of a ladder', () => {
  const person = (id: string, name: string): RosterPerson => ({ id, name, role: null, phone: null, email: null, im: {} }) as unknown as RosterPerson;
  const row: LadderRow = {
    subject_kind: 'alert',
    subject_id: 'fp1',
    roster_id: 'demo',
    policy_id: 'p',
    started_at: T0,
    level: 1,
    level_at: T0,
    stopped_at: null,
    stop_reason: null,
    reminded_at: null,
  };

  it('names who the current and the next level reach, and keeps a gone subject by its id', () => {
    const ref = { roster: { id: 'demo' }, policy: { name: 'Ozon', levels: [] }, offsets: [0, 10 * MIN] } as unknown as Parameters<typeof ladderState>[1];
    const reach = (_: unknown, level: number) => ({ people: [person(`p${level}`, `Person ${level}`)], unstaffed: [] });
    const subj = { kind: 'alert', id: 'fp1', title: 'OrderPullFailures', severity: 'P1', labels: { alertname: 'OrderPullFailures', shop_id: '7' } } as unknown as Subject;
    expect(ladderState(row, ref, subj, reach)).toMatchObject({
      title: 'OrderPullFailures',
      keyLabels: [['shop_id', '7']],
      severity: 'P1',
      policyName: 'Ozon',
      levels: 2,
      current: [{ id: 'p1', name: 'Person 1' }],
      next: { level: 2, at: T0 + 10 * MIN, people: [{ id: 'p2', name: 'Person 2' }] },
    });
    expect(ladderState({ ...row, stopped_at: T0 + MIN, stop_reason: 'gone' }, undefined, null, reach)).toMatchObject({
      title: 'fp1',
      severity: 'P3',
      policyName: 'p',
      levels: 1,
      current: [],
      next: null,
      stopReason: 'gone',
      keyLabels: [],
    });
  });
});

describe('notification texts', () => {
  const lu = { id: 'lu', name: 'Lu Chen', phone: '+86 131 5550 0204', email: 'lu@example.com', im: { dingtalk: 'luchen_lead' } } as unknown as RosterPerson;
  const reached = { people: [lu], unstaffed: ['Ozon second line'] };

  it('name each person with the phone and the first IM handle, in either language', () => {
    expect(describePerson(lu, 'en')).toBe('Lu Chen (tel +86 131 5550 0204, DingTalk luchen_lead)');
    expect(describePerson(lu, 'zh-CN')).toBe('Lu Chen (电话 +86 131 5550 0204, 钉钉 luchen_lead)');
    expect(describePerson({ ...lu, phone: null, im: {} } as unknown as RosterPerson, 'en')).toBe('Lu Chen (mail lu@example.com)');
  });

  it('say who was escalated to and how to reach them', () => {
    const a = { title: 'OrderPullFailures', severity: 'P1', level: 2, levelName: 'second line', unackedMs: 10 * MIN, reached };
    expect(escalatedText('en', a)).toEqual({
      title: 'Escalated to L2 (second line): P1 OrderPullFailures',
      body: 'Not acknowledged for 10 min. Reach: Lu Chen (tel +86 131 5550 0204, DingTalk luchen_lead); nobody on call for Ozon second line now',
    });
    expect(escalatedText('zh-CN', { ...a, levelName: null })).toEqual({
      title: '已升级到 L2：P1 OrderPullFailures',
      body: '10 分钟未确认。请联系：Lu Chen (电话 +86 131 5550 0204, 钉钉 luchen_lead)；Ozon second line 当前无人值班',
    });
  });

  it('remind with the time left before the next level, or without at the top', () => {
    const a = { title: 'X', severity: 'P2', level: 1, unackedMs: 3 * MIN, nextInMs: 7 * MIN, reached: { people: [], unstaffed: [] } };
    expect(reminderText('en', a).body).toBe('3 min so far. Now: (nobody to reach). Escalates to L2 in 7 min.');
    expect(reminderText('zh-CN', a)).toEqual({ title: '仍未确认（L1）：P2 X', body: '已 3 分钟。当前：（无人可联系）。 7 分钟后升级到 L2。' });
    expect(reminderText('zh-CN', { ...a, nextInMs: null }).body).toBe('已 3 分钟。当前：（无人可联系）。');
  });

  it('follow the setting: a zh-CN desk is notified in Chinese', async () => {
    h = createHarness({ clock: new FakeClock(T0) });
    h.settings.language = 'zh-CN';
    await importDemo(h);
    h.upsertAlert({ fingerprint: 'fp-zh', alertname: 'OzonOrderPullFailures', severity: 'P1' });
    h.clock.advance(10 * MIN);
    const titles = h.notifier.sent.map((n) => n.title);
    expect(titles).toContain('已升级到 L2 (second line)：P1 OzonOrderPullFailures');
    expect(titles.filter((t) => t.startsWith('仍未确认（L1）'))).toHaveLength(3);
    // the reason for the platform stays English
    expect(h.outbox().find((a) => a.type === 'alert.escalate')?.payload.reason).toBe('not acknowledged for 10 min; automatic escalation to L2');
    // a platform roster cannot be removed here, and the refusal says so in Chinese
    h.roster.appliers!.find((a) => a.kind === 'roster.upsert')!.apply(
      { id: 'platform-demo', name: 'Platform demo', document: parseYaml(DEMO_YAML), updatedAt: T0 },
      { seq: 1, at: T0 },
    );
    expect(() => h.roster.handlers.rosterRemove('platform-demo')).toThrow(rosterText.in('zh-CN').notLocal({ name: 'Platform demo' }));
    expect(rosterText.in('zh-CN').notLocal({ name: 'demo' })).toBe('排班表“demo”来自平台，请在平台上删除，不能在本机删除。');
  });
});
