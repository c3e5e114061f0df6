/**
 * Who is connected to which replica (src/gateway/postgres/presence.ts), on a throwaway PostgreSQL with two
 * replicas' connections and a fake clock: a login connected to one replica is "elsewhere" for the other (not
 * for itself), a disconnect is seen at the next look, a dead replica's row goes stale, a graceful stop
 * removes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { openPgGatewayStore, type PgGatewayStore } from '@gateway/postgres/store';
import { startPresence, type Presence } from '@gateway/postgres/presence';
import { postgresPerFile } from '@test/helpers/pg-per-file';

const pg = postgresPerFile('presence');

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

describe('replica presence on PostgreSQL', () => {
  it('tells the other replicas who is connected here, until they leave, the replica stops or goes stale', () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 3, 0, 0));
    const open = (): PgGatewayStore => {
      const s = openPgGatewayStore({ connectionString: pg.urlFor('one') });
      cleanups.push(() => s.close());
      return s;
    };
    const onA = new Set(['zhangsan']);
    const onB = new Set<string>();
    const presence = (db: PgGatewayStore, replica: string, logins: Set<string>): Presence => {
      const p = startPresence({ db: db.db, replica, clock, log: silentLogger, logins: () => logins, everyMs: 1000, refreshMs: 10_000, staleMs: 30_000 });
      cleanups.push(() => p.stop());
      return p;
    };
    const a = presence(open(), 'gw-a', onA);
    const b = presence(open(), 'gw-b', onB);
    expect(b.elsewhere('zhangsan')).toBe(true);
    expect(a.elsewhere('zhangsan')).toBe(false); // its own consoles are the caller's to count
    expect(b.elsewhere('lisi')).toBe(false);

    onA.delete('zhangsan');
    onB.add('lisi');
    clock.advance(1000);
    expect(b.elsewhere('zhangsan')).toBe(false);
    expect(a.elsewhere('lisi')).toBe(true);

    // a replica that dies keeps its row, which counts only while fresh
    const db = open();
    db.db.query("INSERT INTO meta (key, value) VALUES ('presence/gw-dead', $1)", [JSON.stringify({ at: clock.now(), logins: ['wangwu'] })]);
    expect(a.elsewhere('wangwu')).toBe(true);
    clock.advance(30_000);
    expect(a.elsewhere('wangwu')).toBe(false);
    // the live ones refresh theirs
    expect(a.elsewhere('lisi')).toBe(true);

    // a graceful stop removes the row at once
    b.stop();
    expect(a.elsewhere('lisi')).toBe(false);
    expect(db.db.query("SELECT key FROM meta WHERE key LIKE 'presence/%' ORDER BY key").rows).toEqual([{ key: 'presence/gw-a' }, { key: 'presence/gw-dead' }]);
  });
});
