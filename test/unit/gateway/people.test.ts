/**
 * Open connections kept true to the people store (src/gateway/people.ts), on a real SQLite store changed
 * through a second connection as the `users` command would: a revocation closes the socket with 4001 after
 * a fatal `credential_revoked`, an expiry with `credential_expired`, a new name or role is sent as an
 * `identity` frame, and people become `person.upsert` events.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { createAuthenticator, type Principal } from '@gateway/auth';
import type { OfferedEvent } from '@gateway/entities';
import { watchPeople } from '@gateway/people';
import { openUserStore } from '@gateway/sqlite/users';
import { mintToken } from '@gateway/tokens';
import { tempDir } from '@test/helpers/tmp';
import { fakeConn } from './fakes';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

async function setup() {
  const d = tempDir('vigil-people-');
  const file = path.join(d.dir, 'gateway.db');
  const users = openUserStore(file);
  const cli = openUserStore(file); // the `users` command's own connection
  const clock = new FakeClock();
  const auth = createAuthenticator({
    config: { personal: true, sharedToken: 'shared-token-0123', trustedHeader: null },
    users,
    clock,
    log: silentLogger,
  });
  const offered: OfferedEvent[] = [];
  const conns: ReturnType<typeof fakeConn>[] = [];
  const signIn = async (login: string, name: string, expiresAt: number | null = null) => {
    if (!cli.user(login)) cli.addUser({ login, name, role: 'responder', origin: 'cli' }, clock.now(), 'cli:root');
    const t = await mintToken();
    cli.addToken({ id: t.id, login, hash: t.hash, expiresAt }, clock.now(), 'cli:root');
    const r = await auth.authenticate({ headers: { authorization: `Bearer ${t.token}` }, socket: {} } as never);
    if (!r.ok) throw new Error(r.message);
    const c = fakeConn(clock.now(), r.principal);
    c.clientId = `console-${login}`;
    conns.push(c);
    return { c, token: t };
  };
  const watch = watchPeople({
    users,
    auth,
    conns: () => conns,
    clock,
    log: silentLogger,
    offer: (e) => offered.push(...e),
    everyMs: 1000,
  });
  cleanups.push(() => (watch.stop(), users.close(), cli.close(), d.cleanup()));
  return { cli, clock, signIn, offered, conns };
}

describe('people watch', () => {
  it('closes the socket of a revoked person within one poll, with the reason first, and leaves the others', async () => {
    const { cli, clock, signIn } = await setup();
    const zhang = await signIn('zhangsan', '张三');
    const li = await signIn('lisi', '李四');
    clock.advance(1000);
    expect(zhang.c.ws.closed).toBeNull();
    cli.revokeUser('zhangsan', clock.now(), 'cli:root');
    clock.advance(1000);
    expect(zhang.c.ws.closed).toEqual({ code: 4001, reason: 'the token of zhangsan was revoked' });
    expect(zhang.c.ws.sent().at(-1)).toEqual({
      type: 'error',
      error: { code: 'credential_revoked', message: 'the token of zhangsan was revoked' },
      fatal: true,
    });
    expect(li.c.ws.closed).toBeNull();
    // one token of a person revoked: only the socket that used it closes
    const li2 = await signIn('lisi', '李四');
    cli.revokeToken('lisi', li2.token.id, clock.now(), 'cli:root');
    clock.advance(1000);
    expect(li2.c.ws.closed?.code).toBe(4001);
    expect(li.c.ws.closed).toBeNull();
  });

  it('closes a socket when its token expires, and tells a renamed person who they are now', async () => {
    const { cli, clock, signIn } = await setup();
    const { c } = await signIn('zhangsan', '张三', clock.now() + 5_500);
    const other = await signIn('wangwu', '王五');
    clock.advance(5000);
    expect(c.ws.closed).toBeNull();
    clock.advance(1000);
    expect(c.ws.closed?.code).toBe(4001);
    expect(c.ws.sent().at(-1)).toMatchObject({ error: { code: 'credential_expired' } });
    cli.updateUser('wangwu', { name: '王五 (SRE)', role: 'viewer' }, clock.now(), 'cli:root');
    clock.advance(1000);
    expect(other.c.ws.sent().at(-1)).toEqual({
      type: 'identity',
      operator: '王五 (SRE)',
      identity: { login: 'wangwu', name: '王五 (SRE)', role: 'viewer', via: 'token' },
    });
    expect(other.c.who.identity.role).toBe('viewer');
  });

  it('offers every person as person.upsert at start and after each change, never a token', async () => {
    const { cli, clock, signIn, offered } = await setup();
    expect(offered).toEqual([]);
    const { token } = await signIn('zhangsan', '张三');
    clock.advance(1000);
    expect(offered).toEqual([
      { kind: 'person.upsert', data: { login: 'zhangsan', name: '张三', role: 'responder', active: true } },
    ]);
    cli.revokeUser('zhangsan', clock.now(), 'cli:root');
    clock.advance(1000);
    expect(offered.at(-1)).toEqual({
      kind: 'person.upsert',
      data: { login: 'zhangsan', name: '张三', role: 'responder', active: false },
    });
    expect(JSON.stringify(offered)).not.toContain(token.id);
  });

  it('leaves shared-token connections alone', async () => {
    const { clock, conns } = await setup();
    const shared: Principal = {
      identity: { login: null, name: 'ops', role: 'responder', via: 'shared' },
      tokenId: null,
      expiresAt: null,
    };
    const c = fakeConn(clock.now(), shared);
    conns.push(c);
    clock.advance(3000);
    expect(c.ws.closed).toBeNull();
  });
});
