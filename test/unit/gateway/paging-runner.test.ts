/**
 * The gateway's escalation runner on a fake clock, over the PagingStore (run for every implementation in
 * IMPLEMENTATIONS: SQLite, and PostgreSQL on a throwaway server): levels paged in order at their time on the right
 * channels, an ack or resolve stopping the ladder, a restart (new store connection, new runner) resuming at the
 * right level without paging one twice, two runners racing on one store, `e` paging the next level by hand,
 * night channels, the paged person's console state, and a re-fired alert starting a new ladder.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { PageLadderSchema, type PageLadder } from '@shared/paging';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import type { OfferedEvent } from '@gateway/entities';
import { createRunner, type Runner } from '@gateway/paging/runner';
import type { PagingStore } from '@gateway/paging/store';
import { openPgPagingStore } from '@gateway/postgres/paging';
import { openPagingStore } from '@gateway/sqlite/paging';
import { firingAlert } from '@test/helpers/alerts';
import { testRoster } from './paging-roster';
import { postgresPerFile } from '@test/helpers/pg-per-file';
import { tempDir } from '@test/helpers/tmp';

const MIN = 60_000;

/** one throwaway PostgreSQL server for the file; each test dir gets its own database */
const pg = postgresPerFile('runner');

const IMPLEMENTATIONS: { name: string; open(dir: string): PagingStore }[] = [
  { name: 'sqlite', open: (dir) => openPagingStore(path.join(dir, 'gateway.db')) },
  { name: 'postgres', open: (dir) => openPgPagingStore({ connectionString: pg.urlFor(dir) }) },
];


for (const impl of IMPLEMENTATIONS) {
  describe(`paging runner (${impl.name})`, () => {
    let dir: string;
    let cleanup: () => void;
    let clock: FakeClock;
    let alerts: Alert[];
    let events: OfferedEvent[];
    let stores: PagingStore[];
    let connected: Set<string>;
    const roster = testRoster();

    beforeEach(() => {
      ({ dir, cleanup } = tempDir('vigil-paging-'));
      // 10:00 in Shanghai: day
      clock = new FakeClock(Date.UTC(2026, 2, 2, 2, 0, 0));
      alerts = [firingAlert({ fingerprint: 'fp1', alertname: 'HighErrorRate', severity: 'P1', labels: { alertname: 'HighErrorRate', team: 'platform-sre' }, annotations: { summary: 'errors over 5%', runbook_url: 'https://wiki.example.com/rb/errors' } })];
      events = [];
      stores = [];
      connected = new Set();
    });
    afterEach(() => {
      stores.forEach((s) => s.close());
      cleanup();
    });

    function runner(): { r: Runner; store: PagingStore } {
      const store = impl.open(dir);
      stores.push(store);
      const r = createRunner({
        store,
        clock,
        log: silentLogger,
        roster: () => roster,
        alerts: () => alerts,
        loginOf: (p) => p.login,
        connected: (l) => connected.has(l),
        emit: (e) => events.push(...e),
        kickDelivery: () => undefined,
      });
      return { r, store };
    }
    const lastLadder = (): PageLadder => PageLadderSchema.parse(events.filter((e) => e.kind === 'page.update').at(-1)!.data);
    const messageIds = (store: PagingStore) => store.messages(store.latestLadder('fp1')!.id).map((m) => m.id);

    it('pages the levels in order at their time, on the level, team and personal channels', () => {
      const { r, store } = runner();
      r.start();
      clock.advance(0);
      let l = lastLadder();
      expect(l.level).toBe(1);
      expect(l.steps[0].people.map((p) => p.name)).toEqual(['张三']);
      // L1: the level's DingTalk and the rotation's team Slack
      expect(l.steps[0].deliveries.map((d) => d.channel).sort()).toEqual(['sre-dingtalk', 'sre-slack']);
      expect(l.next).toMatchObject({ level: 2, at: l.startedAt + 10 * MIN, people: [{ id: 'lisi', name: '李四' }] });

      clock.advance(10 * MIN - 1);
      expect(lastLadder().level).toBe(1);
      clock.advance(1);
      l = lastLadder();
      expect(l.level).toBe(2);
      // L2 by day: DingTalk, and 李四's own SMS webhook (individual)
      expect(l.steps[1].deliveries.map((d) => [d.channel, d.person])).toEqual([
        ['sre-dingtalk', null],
        ['lisi-sms', '李四'],
      ]);
      clock.advance(5 * MIN);
      l = lastLadder();
      expect(l.level).toBe(3);
      expect(l.steps[2].deliveries.map((d) => [d.channel, d.person])).toEqual([['voice', '王五']]);
      expect(l.next).toBeNull();
      clock.advance(60 * MIN);
      const ladder = store.latestLadder('fp1')!;
      expect(store.steps(ladder.id).map((s) => s.level)).toEqual([1, 2, 3]);
      expect(messageIds(store)).toHaveLength(5);
      expect(new Set(messageIds(store)).size).toBe(5);
      // the stored text is the channel's language, names the alert, level, runbook and the link back
      const ding = JSON.parse(store.messages(ladder.id).find((m) => m.level === 2 && m.channel === 'sre-dingtalk')!.body) as { text: string; mobiles: string[] };
      expect(ding.text).toContain('【P1】HighErrorRate');
      expect(ding.text).toContain('升级至第 2/3 级（second line）');
      expect(ding.text).toContain('https://wiki.example.com/rb/errors');
      expect(ding.text).toContain('vigil://alert/fp1');
      expect(ding.mobiles).toEqual(['13155500102']);
      const slack = JSON.parse(store.messages(ladder.id).find((m) => m.channel === 'sre-slack')!.body) as { text: string };
      expect(slack.text).toContain('[P1] HighErrorRate — level 1/3 (on call)');
      r.stop();
    });

    it('stops at an ack from any console, and at a resolve; no level after', () => {
      const { r, store } = runner();
      r.start();
      clock.advance(0);
      alerts = [{ ...alerts[0], ackedBy: '李四', ackedAt: clock.now() }];
      r.poke();
      clock.advance(0);
      const acked = lastLadder();
      expect(acked).toMatchObject({ level: 1, stopReason: 'acked by 李四', next: null });
      clock.advance(60 * MIN);
      expect(store.steps(store.latestLadder('fp1')!.id)).toHaveLength(1);
      expect(store.openLadders()).toEqual([]);

      // unacked and still firing: a new ladder from level 1; then resolved
      alerts = [{ ...alerts[0], ackedBy: null, ackedAt: null }];
      r.poke();
      clock.advance(0);
      const second = lastLadder();
      expect(second.ladderId).not.toBe(acked.ladderId);
      expect(store.steps(second.ladderId)).toHaveLength(1);
      expect(second).toMatchObject({ level: 1, stoppedAt: null });
      alerts = [{ ...alerts[0], state: 'resolved', endsAt: clock.now() }];
      r.poke();
      clock.advance(0);
      expect(lastLadder()).toMatchObject({ ladderId: second.ladderId, stopReason: 'resolved' });
      r.stop();
    });

    it('resumes after a restart at the right level and pages no level twice', () => {
      const first = runner();
      first.r.start();
      clock.advance(10 * MIN);
      expect(lastLadder().level).toBe(2);
      first.r.stop(); // the process dies: nothing more from this runner
      first.store.close();
      stores = stores.filter((s) => s !== first.store);

      clock.advance(7 * MIN); // down over level 3's time
      const second = runner();
      second.r.start();
      clock.advance(0);
      const ladder = second.store.latestLadder('fp1')!;
      expect(second.store.steps(ladder.id).map((s) => s.level)).toEqual([1, 2, 3]);
      expect(second.store.messages(ladder.id).filter((m) => m.level === 2)).toHaveLength(2);
      // level 3 paged at the restart, not at its original time
      expect(second.store.steps(ladder.id)[2].at).toBe(ladder.startedAt + 17 * MIN);
      clock.advance(60 * MIN);
      expect(second.store.steps(ladder.id)).toHaveLength(3);
      second.r.stop();
    });

    it('two runners on one store page each level once', () => {
      const a = runner();
      const b = runner();
      a.r.start();
      b.r.start();
      clock.advance(20 * MIN);
      const ladder = a.store.latestLadder('fp1')!;
      expect(a.store.steps(ladder.id).map((s) => s.level)).toEqual([1, 2, 3]);
      expect(a.store.messages(ladder.id)).toHaveLength(5);
      a.r.stop();
      b.r.stop();
    });

    it('`e` pages the next level now, as the person who pressed it; the ladder keeps its times', () => {
      const { r, store } = runner();
      r.start();
      clock.advance(2 * MIN);
      expect(r.escalate('fp1', '张三')).toEqual({ ok: true, level: 2 });
      const l = lastLadder();
      expect(l.steps[1]).toMatchObject({ level: 2, by: '张三', at: l.startedAt + 2 * MIN });
      expect(l.next).toMatchObject({ level: 3, at: l.startedAt + 15 * MIN });
      const body = JSON.parse(store.messages(l.ladderId).find((m) => m.level === 2 && m.channel === 'sre-dingtalk')!.body) as { text: string };
      expect(body.text).toContain('手动升级：张三');
      clock.advance(8 * MIN); // level 2's own time: not paged again
      expect(store.steps(l.ladderId)).toHaveLength(2);
      clock.advance(5 * MIN);
      expect(store.steps(l.ladderId)).toHaveLength(3);
      expect(r.escalate('fp1', '张三')).toEqual({ ok: false, reason: 'already at the top level (3)' });
      expect(r.escalate('nope', '张三')).toMatchObject({ ok: false });
      r.stop();
    });

    it('uses the night channels at night (phone for P1) and says whose console got the page', () => {
      clock = new FakeClock(Date.UTC(2026, 2, 2, 15, 0, 0)); // 23:00 in Shanghai
      connected.add('zhangsan');
      const { r } = runner();
      r.start();
      clock.advance(0);
      expect(lastLadder().steps[0].people).toEqual([{ id: 'zhangsan', name: '张三', login: 'zhangsan', console: 'delivered' }]);
      clock.advance(10 * MIN);
      const l = lastLadder();
      expect(l.steps[1].night).toBe(true);
      expect(l.steps[1].deliveries.map((d) => [d.channel, d.person])).toEqual([
        ['sre-dingtalk', null],
        ['voice', '李四'],
        ['lisi-sms', '李四'],
      ]);
      expect(l.steps[1].people[0]).toMatchObject({ name: '李四', login: null, console: 'no_login' });
      r.stop();
    });

    it('leaves alerts no policy covers, and silenced or inhibited ones, alone', () => {
      alerts = [
        firingAlert({ fingerprint: 'p3', severity: 'P3', labels: { team: 'platform-sre' } }),
        firingAlert({ fingerprint: 'sil', severity: 'P1', labels: { team: 'platform-sre' }, silencedBy: ['s1'] }),
        firingAlert({ fingerprint: 'inh', severity: 'P1', labels: { team: 'platform-sre' }, inhibitedBy: ['x'] }),
      ];
      const { r, store } = runner();
      r.start();
      clock.advance(30 * MIN);
      expect(store.openLadders()).toEqual([]);
      expect(events).toEqual([]);
      r.stop();
    });
  });
}
