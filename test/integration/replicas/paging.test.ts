/**
 * Paging with two gateway replicas on one PostgreSQL (issues #16 and #17), as real processes (the build)
 * against a real Alertmanager 0.25, a throwaway PostgreSQL 15 and a DingTalk robot receiver on loopback
 * (test/services/im-receivers.ts, which checks the signature): a seconds-long policy of three levels, each a
 * different person on the same robot. Only the leader runs the ladder (its /healthz says so); its levels reach
 * the receiver in order; the leader is killed with SIGKILL after level 2 went out, the other replica takes
 * the source over and pages level 3 at its time, and the receiver got each level's message exactly once.
 * 张三's console is connected to the replica that does not page: the leader records "delivered" to it (the
 * replicas share who is connected), the console gets its page through the shared log; 王五, signed in
 * nowhere, is "not connected".
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { startReceiver, type Receiver } from '@test/services/im-receivers';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { builtApp } from '@test/chaos/procs';
import { openPgUserStore } from '@gateway/postgres/users';
import { mintToken } from '@gateway/tokens';
import { Client } from '../link/helpers';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { secondsRosterFile } from '../paging/seconds-roster';
import { healthOf, leaderAmong, startReplica, type ReplicaProc } from './harness';

const DING_SECRET = 'SECaaaabbbbccccddddeeeeffff00001111222233334444555566667777888899';
const ENV = { VIGIL_TEST_DING_SECRET: DING_SECRET };
/** seconds between levels: more than a takeover (docs/deploy.md: 5 s) */
const STEP_MINUTES = 0.15;

let pg: PostgresService;
let am: AlertmanagerHarness;
let ding: Receiver;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  builtApp();
  [pg, am, ding] = await Promise.all([startPostgres(), startAlertmanager(), startReceiver('dingtalk', { token: 'RTOKEN', secret: DING_SECRET })]);
}, 300_000);
afterAll(async () => {
  await Promise.all([pg?.stop(), am?.stop(), ding?.close()]);
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const rosterFile = (dir: string, run: string): string =>
  secondsRosterFile(dir, {
    run,
    stepMinutes: STEP_MINUTES,
    channels: [{ id: 'sre-dingtalk', type: 'dingtalk', url: `${ding.url}/robot/send?access_token=RTOKEN`, secretEnv: 'VIGIL_TEST_DING_SECRET' }],
    levels: ['sre-dingtalk', 'sre-dingtalk', 'sre-dingtalk'],
    wangwuLogin: true,
  });

/** the messages of this run the receiver accepted, as their level ("第 N/3 级"), in arrival order */
const levelsOf = (run: string) =>
  ding
    .delivered()
    .filter((q) => q.body.includes(run))
    .map((q) => ({ level: Number(/第 (\d)\/3 级/.exec(q.body)?.[1]), at: q.at }));

describe('paging with gateway replicas on PostgreSQL', () => {
  it('the leader pages; killed with SIGKILL mid-ladder, the other replica pages the next level, each level once', async () => {
    const run = uuidv7().slice(-12);
    const { dir, cleanup } = tempDir('vigil-replica-paging-');
    cleanups.push(cleanup);
    const roster = rosterFile(dir, run);
    const store = await pg.createDatabase('paging_replicas');
    const start = (name: string) =>
      startReplica({ name, store, alertmanagerUrl: am.url, cleanups, extraArgs: ['--roster', roster], env: ENV });
    // one after the other: the first one creates the schema, the others find it
    const a = await start('gw-page-1');
    const b = await start('gw-page-2');
    const leader = await leaderAmong([a, b]);
    const follower: ReplicaProc = leader === a ? b : a;
    expect((await healthOf(leader)).paging).toEqual({ runs: ['alertmanager'] });
    expect((await healthOf(follower)).paging).toEqual({ runs: [] });

    // 张三 signs in with a personal token on the replica that does not page
    const users = openPgUserStore({ connectionString: store });
    users.addUser({ login: 'zhangsan', name: '张三', role: 'responder', origin: 'cli' }, Date.now(), 'test');
    const token = await mintToken();
    users.addToken({ id: token.id, login: 'zhangsan', hash: token.hash, expiresAt: null }, Date.now(), 'test');
    users.close();
    const zhangsan = await Client.open(follower.url, token.token);
    cleanups.push(() => zhangsan.ws.terminate());
    zhangsan.hello();
    await zhangsan.next('welcome');
    const db = store.slice(store.lastIndexOf('/') + 1);
    await until(() => pg.psql("SELECT count(*) FROM meta WHERE key LIKE 'presence/%' AND value LIKE '%zhangsan%'", db) === '1', 'the follower publishes 张三');

    const t0 = Date.now();
    await am.postAlerts([{ labels: { alertname: `ReplicaPage${run}`, service: run, severity: 'critical' }, annotations: { summary: `probe ${run}` } }]);
    await until(() => levelsOf(run).length === 2, 'levels 1 and 2 from the leader', 60_000);
    expect(levelsOf(run).map((l) => l.level)).toEqual([1, 2]);
    expect(levelsOf(run)[1].at - t0).toBeGreaterThanOrEqual(STEP_MINUTES * 60_000);
    // level 2 is stored as sent before the leader dies (a request in flight at a crash may go again)
    await until(() => pg.psql("SELECT count(*) FROM page_messages WHERE level = 2 AND state = 'sent'", db) === '1', 'level 2 stored as sent');
    await leader.kill();

    const next = await leaderAmong([follower], 15_000);
    expect(next).toBe(follower);
    await until(async () => (await healthOf(follower)).paging?.runs.length === 1, 'the new leader runs paging');
    await until(() => levelsOf(run).length === 3, 'level 3 from the new leader', 60_000);
    const third = levelsOf(run)[2];
    expect(third.level).toBe(3);
    // at its time (level 2's plus a step), not at once on the takeover
    expect(third.at - levelsOf(run)[1].at).toBeGreaterThanOrEqual(STEP_MINUTES * 60_000 - 2000);

    // nothing more: each level's message exactly once
    await new Promise((r) => setTimeout(r, 3000));
    expect(levelsOf(run).map((l) => l.level)).toEqual([1, 2, 3]);
    expect(pg.psql("SELECT string_agg(level::text || ':' || state || ':' || attempts, ',' ORDER BY level) FROM page_messages", db)).toBe(
      '1:sent:1,2:sent:1,3:sent:1',
    );
    expect(pg.psql('SELECT string_agg(level::text, \',\' ORDER BY level) FROM page_steps', db)).toBe('1,2,3');
    const people = (level: number) => JSON.parse(pg.psql(`SELECT people FROM page_steps WHERE level = ${level}`, db)) as { id: string; console: string }[];
    expect(people(1)).toEqual([expect.objectContaining({ id: 'zhangsan', console: 'delivered' })]);
    expect(people(2)).toEqual([expect.objectContaining({ id: 'lisi', console: 'no_login' })]);
    expect(people(3)).toEqual([expect.objectContaining({ id: 'wangwu', console: 'not_connected' })]);
    // 张三's console, on the other replica, got the ladder with their level through the shared log
    const pages = zhangsan.of('event').filter((f) => f.kind === 'page.update') as unknown as { data: { level: number; steps: { people: { name: string }[] }[] } }[];
    expect(pages.some((f) => f.data.steps[0]?.people[0]?.name === '张三')).toBe(true);
    expect(Math.max(...pages.map((f) => f.data.level))).toBe(3);
  });
});
