/**
 * The UserStore contract (src/gateway/users.ts), run for every implementation in IMPLEMENTATIONS (SQLite,
 * and PostgreSQL on a throwaway server): people added, reinstated, changed and revoked,
 * tokens stored by id with their hash only, last use, the revision every change moves (also for a second
 * connection, as the `users` command beside a live gateway), and an audit row per change.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPgUserStore } from '@gateway/postgres/users';
import { openUserStore } from '@gateway/sqlite/users';
import { UserStoreError, type UserStore } from '@gateway/users';
import { openDatabase } from '@node/sqlite';
import { gatewayMigrations } from '@gateway/sqlite/schema';
import { tempDir } from '@test/helpers/tmp';
import { postgresPerFile } from '@test/helpers/pg-per-file';

/** one throwaway PostgreSQL server for the file; each test dir gets its own database */
const pg = postgresPerFile('users');

interface Implementation {
  name: string;
  /** opens the store kept under `dir`; a second open is another connection to the same data */
  open(dir: string): UserStore;
  /** the audit rows, oldest first */
  audit(dir: string): { actor: string; action: string; login: string | null }[];
}

const IMPLEMENTATIONS: Implementation[] = [
  {
    name: 'sqlite',
    open: (dir) => openUserStore(path.join(dir, 'gateway.db')),
    audit(dir) {
      const db = openDatabase(path.join(dir, 'gateway.db'), { migrations: gatewayMigrations });
      try {
        return db.prepare('SELECT actor, action, login FROM audit ORDER BY id').all() as never;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'postgres',
    open: (dir) => openPgUserStore({ connectionString: pg.urlFor(dir) }),
    audit(dir) {
      const rows = pg.psql("SELECT json_agg(json_build_object('actor', actor, 'action', action, 'login', login) ORDER BY id) FROM audit", pg.databaseOf(dir));
      return rows ? JSON.parse(rows) : [];
    },
  },
];

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

describe.each(IMPLEMENTATIONS)('UserStore contract: $name', (impl) => {
  function open() {
    const d = tempDir(`vigil-users-${impl.name}-`);
    const stores: UserStore[] = [];
    cleanups.push(() => {
      for (const s of stores)
        try {
          s.close();
        } catch {
          // closed by the test
        }
      d.cleanup();
    });
    const another = () => {
      const s = impl.open(d.dir);
      stores.push(s);
      return s;
    };
    return { store: another(), another, dir: d.dir };
  }
  const zhang = { login: 'zhangsan', name: '张三', role: 'responder' as const, origin: 'cli' as const };

  it('adds people, refuses a login taken, changes name and role, and lists them by login', () => {
    const { store } = open();
    expect(store.users()).toEqual([]);
    const { user, reinstated } = store.addUser(zhang, 10, 'cli:root');
    expect(reinstated).toBe(false);
    expect(user).toEqual({ ...zhang, createdAt: 10, updatedAt: 10, revokedAt: null });
    expect(() => store.addUser({ ...zhang, name: 'Other' }, 11, 'cli:root')).toThrow(UserStoreError);
    store.addUser({ login: 'lisi', name: '李四', role: 'viewer', origin: 'cli' }, 12, 'cli:root');
    expect(store.updateUser('lisi', { role: 'admin' }, 13, 'cli:root')).toMatchObject({
      name: '李四',
      role: 'admin',
      updatedAt: 13,
    });
    expect(store.users().map((u) => u.login)).toEqual(['lisi', 'zhangsan']);
    expect(() => store.updateUser('nobody', { role: 'admin' }, 14, 'x')).toThrow(/no person with the login "nobody"/);
  });

  it('keeps tokens by id with their hash, notes last use, revokes one or all, and reinstates a revoked person', () => {
    const { store } = open();
    store.addUser(zhang, 10, 'cli:root');
    const t1 = store.addToken(
      { id: 'aaaaaaaaaaaaaaaa', login: 'zhangsan', hash: 'scrypt$h1', expiresAt: null },
      11,
      'cli:root',
    );
    expect(t1).toEqual({
      id: 'aaaaaaaaaaaaaaaa',
      login: 'zhangsan',
      createdAt: 11,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(store.tokens())).not.toContain('scrypt$h1');
    store.addToken({ id: 'bbbbbbbbbbbbbbbb', login: 'zhangsan', hash: 'scrypt$h2', expiresAt: 500 }, 12, 'cli:root');
    expect(store.tokenSecret('aaaaaaaaaaaaaaaa')).toEqual({
      id: 'aaaaaaaaaaaaaaaa',
      login: 'zhangsan',
      hash: 'scrypt$h1',
      expiresAt: null,
      revokedAt: null,
    });
    expect(store.tokenSecret('cccccccccccccccc')).toBeNull();
    store.touchToken('aaaaaaaaaaaaaaaa', 20);
    expect(store.tokens('zhangsan')[0].lastUsedAt).toBe(20);
    expect(store.revokeToken('zhangsan', 'bbbbbbbbbbbbbbbb', 21, 'cli:root').revokedAt).toBe(21);
    expect(() => store.revokeToken('lisi', 'aaaaaaaaaaaaaaaa', 21, 'x')).toThrow(UserStoreError);
    expect(store.revokeUser('zhangsan', 30, 'cli:root')).toEqual({ tokens: 1 });
    expect(store.user('zhangsan')!.revokedAt).toBe(30);
    expect(store.tokens('zhangsan').map((t) => t.revokedAt)).toEqual([30, 21]);
    expect(() =>
      store.addToken({ id: 'dddddddddddddddd', login: 'zhangsan', hash: 'h', expiresAt: null }, 31, 'x'),
    ).toThrow(/revoked/);
    const back = store.addUser({ ...zhang, role: 'viewer' }, 40, 'cli:root');
    expect(back).toMatchObject({ reinstated: true, user: { role: 'viewer', revokedAt: null } });
    // old tokens stay revoked
    expect(store.tokenSecret('aaaaaaaaaaaaaaaa')!.revokedAt).toBe(30);
  });

  it('moves its revision with every change, seen from another connection, but not with a token use', () => {
    const { store, another } = open();
    const other = another();
    const r0 = other.revision();
    store.addUser(zhang, 10, 'cli:root');
    const r1 = other.revision();
    expect(r1).not.toBe(r0);
    store.addToken({ id: 'aaaaaaaaaaaaaaaa', login: 'zhangsan', hash: 'h', expiresAt: null }, 11, 'cli:root');
    const r2 = other.revision();
    expect(r2).not.toBe(r1);
    other.touchToken('aaaaaaaaaaaaaaaa', 12);
    expect(store.revision()).toBe(r2);
    store.revokeUser('zhangsan', 13, 'cli:root');
    expect(other.revision()).not.toBe(r2);
    expect(other.tokenSecret('aaaaaaaaaaaaaaaa')!.revokedAt).toBe(13);
  });

  it('records proxy sign-ins as people, follows the proxy for them, and never overrides what an admin set', () => {
    const { store } = open();
    store.seenViaProxy({ login: 'wangwu@corp', name: '王五', role: 'viewer' }, 10);
    expect(store.user('wangwu@corp')).toMatchObject({ origin: 'proxy', name: '王五', role: 'viewer' });
    const r = store.revision();
    store.seenViaProxy({ login: 'wangwu@corp', name: '王五', role: 'viewer' }, 11);
    expect(store.revision()).toBe(r);
    store.seenViaProxy({ login: 'wangwu@corp', name: '王五', role: 'responder' }, 12);
    expect(store.user('wangwu@corp')!.role).toBe('responder');
    store.addUser(zhang, 13, 'cli:root');
    store.seenViaProxy({ login: 'zhangsan', name: 'zs', role: 'viewer' }, 14);
    expect(store.user('zhangsan')).toMatchObject({ name: '张三', role: 'responder', origin: 'cli' });
  });

  it('writes an audit row for every change, naming who made it', () => {
    const { store, dir } = open();
    store.addUser(zhang, 10, 'cli:root');
    store.addToken({ id: 'aaaaaaaaaaaaaaaa', login: 'zhangsan', hash: 'h', expiresAt: null }, 11, 'cli:root');
    store.revokeUser('zhangsan', 12, 'cli:ops');
    store.close();
    expect(impl.audit(dir)).toEqual([
      { actor: 'cli:root', action: 'user.add', login: 'zhangsan' },
      { actor: 'cli:root', action: 'token.add', login: 'zhangsan' },
      { actor: 'cli:ops', action: 'user.revoke', login: 'zhangsan' },
    ]);
  });
});
