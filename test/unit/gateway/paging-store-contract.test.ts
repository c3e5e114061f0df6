/**
 * The PagingStore contract (src/gateway/paging/store.ts), written against the interface and run for every
 * implementation in IMPLEMENTATIONS: SQLite, and PostgreSQL on a throwaway server (one per file). Two
 * connections to the same data stand for two gateway replicas (or a restarted process): a ladder started
 * once per alert, a level paged once whoever pages it, message ids idempotent, a due message claimed by one
 * deliverer, the outbox's states, order and dead letters, and comms (status updates, test calls: a comms
 * row and its messages together, once per id, through the same outbox). On PostgreSQL also the real race: another
 * session (psql, a process of its own) pages the level or claims the message in a transaction still open
 * while this one tries: this one waits for it, then finds the row moved and does nothing.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPgPagingStore } from '@gateway/postgres/paging';
import { migratePostgres } from '@gateway/postgres/migrate';
import { pgGatewayMigrations } from '@gateway/postgres/schema';
import { PgSync } from '@node/pg-sync';
import { openPagingStore } from '@gateway/sqlite/paging';
import type { NewMessage, PagingStore, StepRow } from '@gateway/paging/store';
import { postgresPerFile } from '@test/helpers/pg-per-file';
import { until } from '@test/helpers/until';
import { spawnChild } from '@test/services/common';
import { tempDir } from '@test/helpers/tmp';

const pg = postgresPerFile('paging');

const IMPLEMENTATIONS: { name: string; open(dir: string): PagingStore }[] = [
  { name: 'sqlite', open: (dir) => openPagingStore(path.join(dir, 'gateway.db')) },
  { name: 'postgres', open: (dir) => openPgPagingStore({ connectionString: pg.urlFor(dir) }) },
];

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

const T0 = Date.UTC(2026, 11, 6, 3, 0, 0);

const step = (ladderId: string, level: number, at: number, over: Partial<StepRow> = {}): StepRow => ({
  ladderId,
  level,
  at,
  by: null,
  night: false,
  people: [{ id: 'zhangsan', name: '张三', login: 'zhangsan', console: 'delivered' }],
  unstaffed: [],
  ...over,
});
const msg = (ladderId: string, level: number, channel: string, person: string | null = null, body = `{"text":"L${level}"}`): NewMessage => ({
  id: `${ladderId}/${level}/${channel}/${person ?? '-'}`,
  channel,
  type: channel.includes('slack') ? 'slack' : 'dingtalk',
  person,
  body,
});
const ladder = (fingerprint: string, startedAt: number) => ({
  id: `${fingerprint}@${startedAt}`,
  fingerprint,
  rosterId: 'sre',
  policyId: 'sre-p1',
  startedAt,
});

describe.each(IMPLEMENTATIONS)('PagingStore contract: $name', (impl) => {
  /** two connections to one store: two replicas, or a process and its restart */
  function open(): { a: PagingStore; b: PagingStore; dir: string } {
    const d = tempDir(`vigil-paging-${impl.name}-`);
    const a = impl.open(d.dir);
    const b = impl.open(d.dir);
    cleanups.push(() => {
      a.close();
      b.close();
      d.cleanup();
    });
    return { a, b, dir: d.dir };
  }

  /** another session holds `sql`'s row locks in an open transaction for `holdS` seconds, then commits */
  async function holding(dir: string, sql: string, holdS: number): Promise<() => Promise<void>> {
    const child = spawnChild('psql', [pg.urlFor(dir), '-v', 'ON_ERROR_STOP=1', '-c', `BEGIN; ${sql}; SELECT pg_sleep(${holdS}); COMMIT;`], dir);
    cleanups.push(() => void child.stop());
    const db = pg.databaseOf(dir);
    await until(
      () =>
        pg.psql(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN;%pg_sleep%' AND wait_event = 'PgSleep'",
          db,
        ) === '1',
      'the other session to hold its locks',
    );
    return () => until(() => child.exited(), 'the other session to commit').then(() => undefined);
  }

  it.runIf(impl.name === 'postgres')('waits for a page or a claim in flight in another session, then does nothing', async () => {
    const { a, b, dir } = open();
    const id = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    const done = await holding(dir, `UPDATE page_ladders SET level = 1, level_at = ${T0 + 1} WHERE id = '${id}' AND level = 0`, 1);
    const t = Date.now();
    expect(b.page(id, 0, step(id, 1, T0 + 2), [msg(id, 1, 'sre-slack')])).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300); // it waited for the other transaction
    await done();
    expect(a.messages(id)).toEqual([]);
    expect(a.steps(id)).toEqual([]);
    expect(a.ladder(id)!.level).toBe(1);

    a.page(id, 1, step(id, 2, T0 + 3), [msg(id, 2, 'sre-dingtalk')]);
    const m = `${id}/2/sre-dingtalk/-`;
    const claimed = await holding(dir, `UPDATE page_messages SET next_at = ${T0 + 40_000} WHERE id = '${m}' AND state = 'pending' AND next_at <= ${T0 + 3}`, 1);
    expect(b.claim(m, 0, T0 + 3, T0 + 40_000)).toBe(false);
    await claimed();
    expect(a.dueMessages(T0 + 3, 10)).toEqual([]);
  });

  it('starts one open ladder per alert, finds it by id and as the newest, lists open ones oldest first', () => {
    const { a, b } = open();
    expect([a.openLadders(), a.latestLadder('fp1'), a.ladder('x')]).toEqual([[], null, null]);
    expect(a.startLadder(ladder('fp2', T0 + 5))).toBe(true);
    expect(a.startLadder(ladder('fp1', T0))).toBe(true);
    // the same alert, by another replica a moment later: refused while the first is open
    expect(b.startLadder(ladder('fp1', T0 + 1))).toBe(false);
    expect(b.openLadders().map((l) => l.id)).toEqual([`fp1@${T0}`, `fp2@${T0 + 5}`]);
    expect(b.ladder(`fp1@${T0}`)).toEqual({
      id: `fp1@${T0}`,
      fingerprint: 'fp1',
      rosterId: 'sre',
      policyId: 'sre-p1',
      startedAt: T0,
      level: 0,
      levelAt: T0,
      stoppedAt: null,
      stopReason: null,
    });
    // stopped: once; then the alert may start a new ladder, which is the newest
    expect(a.stop(`fp1@${T0}`, 'acked by 李四', T0 + 10)).toBe(true);
    expect(b.stop(`fp1@${T0}`, 'resolved', T0 + 11)).toBe(false);
    expect(a.ladder(`fp1@${T0}`)).toMatchObject({ stoppedAt: T0 + 10, stopReason: 'acked by 李四' });
    expect(b.startLadder(ladder('fp1', T0 + 20))).toBe(true);
    expect(a.latestLadder('fp1')!.id).toBe(`fp1@${T0 + 20}`);
    expect(a.openLadders().map((l) => l.id)).toEqual([`fp2@${T0 + 5}`, `fp1@${T0 + 20}`]);
    // the stop reason is bounded
    expect(a.stop(`fp2@${T0 + 5}`, 'x'.repeat(1000), T0 + 30)).toBe(true);
    expect(a.ladder(`fp2@${T0 + 5}`)!.stopReason).toHaveLength(300);
  });

  it('pages a level once: from exactly `from`, with its step and messages together, never on a stopped ladder', () => {
    const { a, b } = open();
    const id = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    expect(a.page(id, 0, step(id, 1, T0 + 1, { night: true, unstaffed: ['nobody on sre-secondary'] }), [msg(id, 1, 'sre-dingtalk'), msg(id, 1, 'lisi-sms', 'lisi')])).toBe(true);
    // the other replica read level 0 a moment earlier and pages it too: nothing happens
    expect(b.page(id, 0, step(id, 1, T0 + 2), [msg(id, 1, 'sre-slack')])).toBe(false);
    expect(b.page(id, 2, step(id, 3, T0 + 2), [msg(id, 3, 'voice')])).toBe(false);
    expect(b.ladder(id)).toMatchObject({ level: 1, levelAt: T0 + 1 });
    expect(b.steps(id)).toEqual([step(id, 1, T0 + 1, { night: true, unstaffed: ['nobody on sre-secondary'] })]);
    expect(b.messages(id).map((m) => [m.id, m.level, m.state, m.attempts, m.nextAt, m.createdAt, m.doneAt])).toEqual([
      [`${id}/1/sre-dingtalk/-`, 1, 'pending', 0, T0 + 1, T0 + 1, null],
      [`${id}/1/lisi-sms/lisi`, 1, 'pending', 0, T0 + 1, T0 + 1, null],
    ]);
    expect(b.messages(id)[1]).toMatchObject({ channel: 'lisi-sms', person: 'lisi', type: 'dingtalk', body: '{"text":"L1"}', lastError: null });

    expect(b.page(id, 1, step(id, 2, T0 + 3, { by: 'Li Wei' }), [msg(id, 2, 'sre-slack')])).toBe(true);
    expect(a.steps(id).map((s) => [s.level, s.by])).toEqual([
      [1, null],
      [2, 'Li Wei'],
    ]);
    expect(a.stop(id, 'resolved', T0 + 4)).toBe(true);
    expect(a.page(id, 2, step(id, 3, T0 + 5), [msg(id, 3, 'voice')])).toBe(false);
    expect(a.ladder(id)!.level).toBe(2);
    expect(a.messages(id)).toHaveLength(3);
  });

  it('keeps the first of a message id written twice', () => {
    const { a, b } = open();
    const one = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    a.page(one, 0, step(one, 1, T0), [msg(one, 1, 'sre-dingtalk', null, '{"text":"first"}')]);
    // a page that carries a message with the same id (one message per level per alert) keeps the first
    expect(b.page(one, 1, step(one, 2, T0 + 1), [msg(one, 1, 'sre-dingtalk', null, '{"text":"again"}'), msg(one, 2, 'sre-slack')])).toBe(true);
    expect(a.messages(one).map((m) => [m.id, m.level, m.body])).toEqual([
      [`${one}/1/sre-dingtalk/-`, 1, '{"text":"first"}'],
      [`${one}/2/sre-slack/-`, 2, '{"text":"L2"}'],
    ]);
  });

  it('serves due messages oldest first, claims each for one deliverer, and records sent, retry and dead', () => {
    const { a, b } = open();
    const id = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    a.page(id, 0, step(id, 1, T0), [msg(id, 1, 'sre-dingtalk'), msg(id, 1, 'sre-slack')]);
    a.page(id, 1, step(id, 2, T0 + 10), [msg(id, 2, 'voice')]);
    expect(a.nextDue()).toBe(T0);
    expect(a.dueMessages(T0 - 1, 10)).toEqual([]);
    expect(a.dueMessages(T0 + 10, 10).map((m) => m.id)).toEqual([`${id}/1/sre-dingtalk/-`, `${id}/1/sre-slack/-`, `${id}/2/voice/-`]);
    expect(a.dueMessages(T0 + 10, 1)).toHaveLength(1);

    // both replicas read the same due message; one claims it
    const [ding, slack, voice] = b.dueMessages(T0 + 10, 10);
    expect(a.claim(ding.id, 0, T0 + 10, T0 + 40_000)).toBe(true);
    expect(b.claim(ding.id, 0, T0 + 10, T0 + 40_000)).toBe(false);
    expect(b.dueMessages(T0 + 10, 10).map((m) => m.id)).toEqual([slack.id, voice.id]);
    // a claim runs out: due again at its end, for whoever claims it then (with the attempts it has)
    expect(b.dueMessages(T0 + 40_000, 10).map((m) => m.id)).toEqual([slack.id, voice.id, ding.id]);
    expect(b.claim(ding.id, 1, T0 + 40_000, T0 + 80_000)).toBe(false);
    expect(b.claim(ding.id, 0, T0 + 40_000, T0 + 80_000)).toBe(true);
    a.markSent(ding.id, 1, T0 + 40_100);
    expect(b.claim(ding.id, 1, T0 + 90_000, T0 + 120_000)).toBe(false);

    expect(a.claim(slack.id, 0, T0 + 10, T0 + 40_000)).toBe(true);
    a.markRetry(slack.id, 1, T0 + 5_010, 'HTTP 502');
    expect(a.nextDue()).toBe(T0 + 10);
    expect(b.claim(voice.id, 0, T0 + 10, T0 + 40_000)).toBe(true);
    b.markDead(voice.id, 1, T0 + 20, 'errcode 310000: sign not match');
    expect(a.nextDue()).toBe(T0 + 5_010);
    expect(a.dueMessages(T0 + 5_009, 10)).toEqual([]);
    expect(a.dueMessages(T0 + 5_010, 10).map((m) => [m.id, m.attempts, m.lastError])).toEqual([[slack.id, 1, 'HTTP 502']]);
    expect(a.claim(slack.id, 0, T0 + 5_010, T0 + 40_000)).toBe(false); // attempts moved on
    expect(a.claim(slack.id, 1, T0 + 5_010, T0 + 40_000)).toBe(true);
    a.markSent(slack.id, 2, T0 + 5_100);
    // a retry after it was sent changes nothing
    a.markRetry(slack.id, 3, T0 + 9_000, 'late');
    expect(a.nextDue()).toBeNull();

    const byId = new Map(b.messages(id).map((m) => [m.id, m]));
    expect(byId.get(ding.id)).toMatchObject({ state: 'sent', attempts: 1, doneAt: T0 + 40_100, lastError: null });
    expect(byId.get(slack.id)).toMatchObject({ state: 'sent', attempts: 2, doneAt: T0 + 5_100, lastError: null });
    expect(byId.get(voice.id)).toMatchObject({ state: 'dead', attempts: 1, doneAt: T0 + 20, lastError: 'errcode 310000: sign not match' });
    expect(b.deadLetters(10).map((m) => m.id)).toEqual([voice.id]);
  });

  it('lists dead letters newest first, bounded, with the error bounded', () => {
    const { a } = open();
    const id = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    a.page(id, 0, step(id, 1, T0), [msg(id, 1, 'c1'), msg(id, 1, 'c2'), msg(id, 1, 'c3')]);
    a.markDead(`${id}/1/c1/-`, 5, T0 + 3, 'x'.repeat(2000));
    a.markDead(`${id}/1/c2/-`, 5, T0 + 1, 'timeout');
    a.markDead(`${id}/1/c3/-`, 5, T0 + 2, 'HTTP 400');
    expect(a.deadLetters(2).map((m) => m.channel)).toEqual(['c1', 'c3']);
    expect(a.deadLetters(10)[0].lastError).toHaveLength(500);
    expect(a.dueMessages(T0 + 10, 10)).toEqual([]);
  });

  it('adds a comms row with its messages once per id; they go through the same outbox with their own try limit', () => {
    const { a, b } = open();
    const row = { id: 'c1', kind: 'incident' as const, incidentId: 'inc-1', phase: 'update' as const, by: '张三', login: 'zhangsan', at: T0, console: null, none: null };
    const m1 = { id: 'comms/c1/sre-slack/-', channel: 'sre-slack', type: 'slack' as const, person: null, body: '{"text":"update"}' };
    const m2 = { id: 'comms/c1/lisi-sms/lisi', channel: 'lisi-sms', type: 'webhook' as const, person: 'lisi', body: '{"text":"update"}', maxAttempts: 1 };
    expect(a.comms('c1')).toBeNull();
    expect(a.addComms(row, [m1, m2])).toBe(true);
    // the same action resent to the other replica: nothing more
    expect(b.addComms({ ...row, by: 'again' }, [{ ...m1, id: 'comms/c1/other/-' }])).toBe(false);
    expect(b.comms('c1')).toEqual(row);
    expect(b.commsMessages('c1').map((m) => [m.id, m.ladderId, m.commsId, m.level, m.maxAttempts, m.state, m.nextAt])).toEqual([
      [m1.id, null, 'c1', 0, null, 'pending', T0],
      [m2.id, null, 'c1', 0, 1, 'pending', T0],
    ]);
    const test = { id: 't1', kind: 'test' as const, incidentId: null, phase: null, by: '张三', login: 'zhangsan', at: T0 + 1, console: 'delivered' as const, none: 'no_channels' as const };
    expect(a.addComms(test, [])).toBe(true);
    expect(b.comms('t1')).toEqual(test);
    expect(b.commsMessages('t1')).toEqual([]);
    // with the pages, in one outbox
    const id = ladder('fp1', T0).id;
    a.startLadder(ladder('fp1', T0));
    a.page(id, 0, step(id, 1, T0 + 2), [msg(id, 1, 'sre-dingtalk')]);
    expect(b.dueMessages(T0 + 2, 10).map((m) => m.id)).toEqual([m1.id, m2.id, `${id}/1/sre-dingtalk/-`]);
    expect(b.claim(m2.id, 0, T0 + 2, T0 + 40_000)).toBe(true);
    b.markDead(m2.id, 1, T0 + 3, 'HTTP 401');
    expect(a.deadLetters(10).map((m) => [m.id, m.commsId, m.ladderId])).toEqual([[m2.id, 'c1', null]]);
    expect(a.messages(id).map((m) => [m.commsId, m.maxAttempts])).toEqual([[null, null]]);
  });

  it('keeps everything across a reopen', () => {
    const d = tempDir(`vigil-paging-reopen-${impl.name}-`);
    cleanups.push(d.cleanup);
    const first = impl.open(d.dir);
    const id = ladder('fp1', T0).id;
    first.startLadder(ladder('fp1', T0));
    first.page(id, 0, step(id, 1, T0), [msg(id, 1, 'sre-dingtalk')]);
    first.close();
    const again = impl.open(d.dir);
    cleanups.push(() => again.close());
    expect(again.openLadders().map((l) => [l.id, l.level])).toEqual([[id, 1]]);
    expect(again.steps(id)).toHaveLength(1);
    expect(again.dueMessages(T0, 10).map((m) => m.id)).toEqual([`${id}/1/sre-dingtalk/-`]);
  });
});

describe('PagingStore on PostgreSQL: upgrade', () => {
  it('migration 7 keeps the pages written under migration 6, as ladder messages', () => {
    const d = tempDir('vigil-paging-pg-upgrade-');
    cleanups.push(d.cleanup);
    const url = pg.urlFor(d.dir);
    const old = new PgSync({ connectionString: url });
    try {
      migratePostgres(old, 'test', pgGatewayMigrations.filter((m) => m.version <= 6), T0);
      old.query("INSERT INTO page_ladders (id, fingerprint, roster_id, policy_id, started_at, level, level_at) VALUES ('l1', 'fp', 'r', 'p', 1, 1, 1)");
      old.query(
        "INSERT INTO page_messages (id, ladder_id, level, channel, type, body, state, attempts, next_at, created_at) VALUES ('l1/1/ch/-', 'l1', 1, 'ch', 'slack', '{}', 'pending', 2, 5, 1)",
      );
    } finally {
      old.close();
    }
    const s = openPgPagingStore({ connectionString: url });
    cleanups.push(() => s.close());
    expect(s.messages('l1')).toMatchObject([{ id: 'l1/1/ch/-', ladderId: 'l1', commsId: null, maxAttempts: null, attempts: 2, state: 'pending' }]);
    expect(s.dueMessages(10, 10).map((m) => m.id)).toEqual(['l1/1/ch/-']);
    expect(pg.psql('SELECT max(version) FROM schema_migrations', pg.databaseOf(d.dir))).toBe('7');
  });
});
