/**
 * Who a request is (src/gateway/auth.ts), on a real SQLite people store: personal tokens (wrong, revoked,
 * expired, a revoked person), the shared token (role responder, name to come), the SSO proxy's headers
 * only from a trusted address, groups mapped to roles, UTF-8 names, and `recheck` for open connections.
 */
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { addressList, createAuthenticator, type AuthConfig, type TrustedHeaderOptions } from '@gateway/auth';
import { openUserStore } from '@gateway/sqlite/users';
import { mintToken } from '@gateway/tokens';
import type { UserStore } from '@gateway/users';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

const req = (headers: Record<string, string>, remote = '127.0.0.1'): IncomingMessage =>
  ({ headers, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function setup(config: Partial<AuthConfig> = {}) {
  const d = tempDir('vigil-auth-');
  const users: UserStore = openUserStore(path.join(d.dir, 'gateway.db'));
  cleanups.push(() => (users.close(), d.cleanup()));
  const clock = new FakeClock();
  const auth = createAuthenticator({
    config: { personal: true, sharedToken: null, trustedHeader: null, ...config },
    users,
    clock,
    log: silentLogger,
  });
  const person = async (
    login: string,
    name: string,
    role: 'viewer' | 'responder' | 'admin',
    expiresAt: number | null = null,
  ) => {
    if (!users.user(login)) users.addUser({ login, name, role, origin: 'cli' }, clock.now(), 'test');
    const t = await mintToken();
    users.addToken({ id: t.id, login, hash: t.hash, expiresAt }, clock.now(), 'test');
    return t;
  };
  return { users, clock, auth, person };
}

describe('auth: personal tokens', () => {
  it('proves the person of a token and notes its use; refuses missing, unknown and wrong ones', async () => {
    const { auth, person, users, clock } = await setup();
    const t = await person('zhangsan', '张三', 'responder');
    const r = await auth.authenticate(req(bearer(t.token)));
    expect(r).toEqual({
      ok: true,
      principal: {
        identity: { login: 'zhangsan', name: '张三', role: 'responder', via: 'token' },
        tokenId: t.id,
        expiresAt: null,
      },
    });
    expect(users.tokens('zhangsan')[0].lastUsedAt).toBe(clock.now());
    // the second time comes from the cache of checked secrets: same answer
    expect(await auth.authenticate(req(bearer(t.token)))).toMatchObject({ ok: true });
    expect(await auth.authenticate(req({}))).toMatchObject({ ok: false, status: 401, refusal: 'missing' });
    expect(await auth.authenticate(req(bearer('vgl_0123456789abcdef_' + 'a'.repeat(43))))).toMatchObject({
      refusal: 'wrong',
    });
    const forged = t.token.slice(0, -4) + (t.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await auth.authenticate(req(bearer(forged)))).toMatchObject({
      ok: false,
      status: 401,
      refusal: 'wrong',
      login: 'zhangsan',
    });
    expect(await auth.authenticate(req(bearer('just-some-text-123')))).toMatchObject({ refusal: 'wrong' });
  });

  it('refuses a revoked token, a revoked person and an expired token, and recheck says so for open sockets', async () => {
    const { auth, person, users, clock } = await setup();
    const t1 = await person('zhangsan', '张三', 'responder');
    const t2 = await person('zhangsan', '张三', 'responder', clock.now() + 60_000);
    const p2 = await auth.authenticate(req(bearer(t2.token)));
    if (!p2.ok) throw new Error('t2 refused');
    expect(p2.principal.expiresAt).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    expect(await auth.authenticate(req(bearer(t2.token)))).toMatchObject({ status: 401, refusal: 'expired' });
    expect(auth.recheck(p2.principal)).toMatchObject({ ok: false, refusal: 'expired' });
    const p1 = await auth.authenticate(req(bearer(t1.token)));
    if (!p1.ok) throw new Error('t1 refused');
    users.updateUser('zhangsan', { role: 'viewer', name: '张三丰' }, clock.now(), 'test');
    expect(auth.recheck(p1.principal)).toEqual({
      ok: true,
      identity: { login: 'zhangsan', name: '张三丰', role: 'viewer', via: 'token' },
    });
    users.revokeToken('zhangsan', t1.id, clock.now(), 'test');
    expect(await auth.authenticate(req(bearer(t1.token)))).toMatchObject({ status: 401, refusal: 'revoked' });
    expect(auth.recheck(p1.principal)).toMatchObject({ ok: false, refusal: 'revoked' });
    const t3 = await person('zhangsan', '张三', 'responder');
    users.revokeUser('zhangsan', clock.now(), 'test');
    expect(await auth.authenticate(req(bearer(t3.token)))).toMatchObject({ refusal: 'revoked' });
  });
});

describe('auth: the shared token', () => {
  it('is a responder whose name comes later, alongside personal tokens', async () => {
    const { auth, person } = await setup({ sharedToken: 'team-token-0123456789' });
    expect(await auth.authenticate(req(bearer('team-token-0123456789')))).toEqual({
      ok: true,
      principal: {
        identity: { login: null, name: '', role: 'responder', via: 'shared' },
        tokenId: null,
        expiresAt: null,
      },
    });
    const t = await person('lisi', '李四', 'viewer');
    expect(await auth.authenticate(req(bearer(t.token)))).toMatchObject({
      ok: true,
      principal: { identity: { role: 'viewer' } },
    });
    expect(await auth.authenticate(req(bearer('team-token-wrong')))).toMatchObject({ ok: false, refusal: 'wrong' });
  });

  it('alone (no people store) refuses everything else', async () => {
    const auth = createAuthenticator({
      config: { personal: false, sharedToken: 'team-token-0123456789', trustedHeader: null },
      users: null,
      clock: new FakeClock(),
      log: silentLogger,
    });
    expect(await auth.authenticate(req(bearer('vgl_0123456789abcdef_' + 'a'.repeat(43))))).toMatchObject({
      refusal: 'wrong',
    });
  });
});

describe('auth: behind the SSO proxy', () => {
  const proxy: TrustedHeaderOptions = {
    proxies: ['127.0.0.1/32', '10.1.0.0/16'],
    groupRoles: { 'sre-admins': 'admin', oncall: 'responder' },
    defaultRole: 'viewer',
  };
  const signedIn = (user: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-user': user, ...extra });

  it('takes the person from the headers of a trusted address, the highest role their groups map to', async () => {
    const { auth, users } = await setup({ trustedHeader: proxy, personal: false });
    const name = Buffer.from('王五', 'utf8').toString('latin1'); // how Node hands over UTF-8 header bytes
    const r = await auth.authenticate(
      req(
        signedIn('wangwu', {
          'x-forwarded-groups': 'staff, oncall,sre-admins',
          'x-forwarded-preferred-username': name,
        }),
        '10.1.2.3',
      ),
    );
    expect(r).toEqual({
      ok: true,
      principal: {
        identity: { login: 'wangwu', name: '王五', role: 'admin', via: 'proxy' },
        tokenId: null,
        expiresAt: null,
      },
    });
    expect(users.user('wangwu')).toMatchObject({ origin: 'proxy', name: '王五', role: 'admin' });
    const mapped = await auth.authenticate(req(signedIn('zhaoliu', { 'x-forwarded-email': 'zl@corp.example' })));
    expect(mapped).toMatchObject({
      ok: true,
      principal: { identity: { login: 'zhaoliu', name: 'zl@corp.example', role: 'viewer' } },
    });
    const ipv6Mapped = await auth.authenticate(req(signedIn('zhaoliu'), '::ffff:127.0.0.1'));
    expect(ipv6Mapped).toMatchObject({ ok: true });
  });

  it('refuses the headers from any other address, a person without a role, and a revoked person', async () => {
    const { auth, users, clock } = await setup({ trustedHeader: { ...proxy, defaultRole: null }, personal: false });
    for (const h of [
      signedIn('mallory'),
      { 'x-forwarded-email': 'm@x' },
      { 'x-forwarded-groups': 'sre-admins' },
    ] as Record<string, string>[])
      expect(await auth.authenticate(req(h, '127.0.0.2'))).toMatchObject({
        ok: false,
        status: 403,
        refusal: 'untrusted_proxy',
      });
    expect(await auth.authenticate(req({}, '127.0.0.2'))).toMatchObject({ status: 401, refusal: 'missing' });
    expect(await auth.authenticate(req(signedIn('nogroups')))).toMatchObject({ status: 403, refusal: 'no_role' });
    expect(await auth.authenticate(req(signedIn('has space')))).toMatchObject({ status: 403, refusal: 'wrong' });
    await auth.authenticate(req(signedIn('wangwu', { 'x-forwarded-groups': 'oncall' })));
    users.revokeUser('wangwu', clock.now(), 'test');
    expect(await auth.authenticate(req(signedIn('wangwu', { 'x-forwarded-groups': 'oncall' })))).toMatchObject({
      status: 403,
      refusal: 'revoked',
    });
  });

  it('with personal tokens too: a direct connection signs in with its token, never with headers', async () => {
    const { auth, person } = await setup({ trustedHeader: proxy, personal: true });
    const t = await person('zhangsan', '张三', 'responder');
    expect(await auth.authenticate(req(bearer(t.token), '192.0.2.7'))).toMatchObject({
      ok: true,
      principal: { identity: { via: 'token' } },
    });
    expect(await auth.authenticate(req({ ...bearer(t.token), ...signedIn('wangwu') }, '192.0.2.7'))).toMatchObject({
      refusal: 'untrusted_proxy',
    });
  });

  it('reads CIDR lists and refuses malformed ones', () => {
    const l = addressList(['127.0.0.1/32', '::1', '10.0.0.0/8']);
    expect(l.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(l.check('::1', 'ipv6')).toBe(true);
    expect(l.check('11.0.0.1', 'ipv4')).toBe(false);
    for (const bad of ['localhost', '10.0.0.0/33', '1.2.3.4/x', ''])
      expect(() => addressList([bad]), bad).toThrow(/--trusted-proxy takes addresses or CIDRs/);
  });
});
