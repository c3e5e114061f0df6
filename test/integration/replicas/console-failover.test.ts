/**
 * A console (the real core, with its SQLite store) given two gateway replicas on one PostgreSQL
 * (`--platform ws://a,ws://b`, issue #17): it uses the first; when that one dies it moves to the second,
 * says which one it uses (linkConfig, linkState), resumes from its cursor without a second snapshot, and
 * ends with the same alerts as the log.
 *
 * The replicas run in this process (startGateway on a PostgreSQL store with replication); `kill()` drops
 * their sockets and their database connections as a dead process would, so the leader's lock goes too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LinkConfig } from '@shared/contract/link';
import type { LinkState } from '@shared/domain';
import { openPgGatewayStore } from '@gateway/postgres/store';
import type { Gateway } from '@gateway/server';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { alert, alertCount, call, core, fingerprints, gateway, testSource, type TestSource } from '../link/helpers';

let pg: PostgresService;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const dir = () => {
  const d = tempDir('vigil-failover-');
  cleanups.push(d.cleanup);
  return d.dir;
};
const alerts = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(from + i) }));

async function replica(url: string, name: string, src: TestSource): Promise<Gateway> {
  const connection = { connectionString: url };
  const g = await gateway(src, dir(), {
    store: openPgGatewayStore(connection),
    replication: { connection, replica: name, key: 'test:failover', tickMs: 200 },
  });
  cleanups.push(() => g.close());
  return g;
}

describe('a console given several gateway replicas', () => {
  it('moves to the next replica when its gateway dies, says which it uses, and resumes from its cursor', async () => {
    const url = await pg.createDatabase('failover');
    const srcA = testSource(alerts(0, 40));
    const srcB = testSource();
    const a = await replica(url, 'a', srcA);
    await until(() => a.leadership().leads.length > 0, 'replica a to lead');
    const b = await replica(url, 'b', srcB);
    const c = core(dir(), `${a.url}, ${b.url}`);
    cleanups.push(() => c.close());
    await until(() => alertCount(c) === 40, 'the snapshot from a');
    expect(await call<LinkConfig>(c, 'linkConfig')).toMatchObject({ platformUrl: a.url, gateways: [a.url, b.url] });
    const snapshots = (await call<{ snapshots: number }>(c, 'linkStats')).snapshots;

    await a.kill();
    // b takes the lead (its source starts) and the console reaches b
    await until(() => b.leadership().leads.length > 0, 'replica b to lead');
    await until(async () => (await call<LinkState>(c, 'linkState')).platformUrl === b.url, 'the console on b');
    srcB.emit([...alerts(100, 10), { kind: 'alert.remove', data: { fingerprint: alert(1).fingerprint } }]);
    await until(() => alertCount(c) === 49, 'the events written by b');
    expect(fingerprints(c)).toEqual(b.store.current('alert').map((e) => e.id).sort());
    expect((await call<{ snapshots: number }>(c, 'linkStats')).snapshots).toBe(snapshots);
    const state = await call<LinkState>(c, 'linkState');
    expect(state).toMatchObject({ status: 'online', platformUrl: b.url, cursor: b.store.head() });
    expect(await call<LinkConfig>(c, 'linkConfig')).toMatchObject({ platformUrl: b.url, gateways: [a.url, b.url] });
  });
});
