/**
 * The gateway behind an SSO proxy (`--auth trusted-header --trusted-proxy 127.0.0.1/32`), configured from
 * its real command line: a loopback stand-in for oauth2-proxy (test/services/sso-proxy.ts) connects from
 * 127.0.0.1 and sets X-Forwarded-*; anyone else — here a client bound to 127.0.0.2 — sending those headers
 * is refused. Groups map to roles; a person revoked with `users revoke` is cut off, also through the proxy.
 */
import type http from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL } from '@shared/protocol';
import { parseCli } from '@gateway/cli';
import { startGateway, type Gateway } from '@gateway/server';
import { runUsers } from '@gateway/users-cli';
import { silentLogger } from '@node/log';
import { startSsoProxy, type SsoPerson, type SsoProxy } from '@test/services/sso-proxy';
import { tempDir } from '@test/helpers/tmp';
import { alert, Client, testSource, type TestSource } from '../link/helpers';
import { until } from '@test/helpers/until';

let gw: Gateway;
let proxy: SsoProxy;
let src: TestSource;
let dir: { dir: string; cleanup(): void };
const open: Client[] = [];
/** who the proxy says is signed in, by the test's choice (the X-Test-Person header) */
const PEOPLE: Record<string, SsoPerson> = {
  wangwu: { user: 'wangwu', email: 'wangwu@corp.example', groups: ['staff', 'oncall'], preferredUsername: '王五' },
  zhaoliu: { user: 'zhaoliu', groups: ['sre'], preferredUsername: '赵六' },
  guest: { user: 'guest', groups: ['staff'] },
};

beforeAll(async () => {
  dir = tempDir('vigil-proxy-');
  const cfg = parseCli(
    [
      '--auth',
      'trusted-header',
      '--trusted-proxy',
      '127.0.0.1/32',
      '--group-role',
      'oncall=responder',
      '--group-role',
      'sre=admin',
      '--port',
      '0',
      '--data-dir',
      dir.dir,
    ],
    {},
  );
  if (cfg === 'help') throw new Error('help');
  expect(cfg).toMatchObject({ token: null, personalTokens: false, trustedHeader: { defaultRole: 'viewer' } });
  src = testSource([{ kind: 'alert.upsert', data: alert(1) }]);
  gw = await startGateway({
    source: src,
    token: cfg.token,
    personalTokens: cfg.personalTokens,
    trustedHeader: cfg.trustedHeader,
    dataDir: cfg.dataDir,
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    peoplePollMs: 200,
  });
  proxy = await startSsoProxy(
    gw.port,
    (req: http.IncomingMessage) => PEOPLE[String(req.headers['x-test-person'])] ?? null,
  );
});

afterAll(async () => {
  for (const c of open) c.ws.terminate();
  await proxy?.close();
  await gw?.close();
  dir?.cleanup();
});

/** a socket to `url` with these headers, from `localAddress`: the client, or the HTTP status it was refused with */
function connect(url: string, headers: Record<string, string>, localAddress = '127.0.0.1') {
  return new Promise<Client | { status: number; reason: string | undefined }>((resolve, reject) => {
    const ws = new WebSocket(url, [PROTOCOL], { headers, localAddress });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, reason: res.headers['x-vigil-auth'] as string | undefined });
      ws.terminate();
    });
    ws.once('open', () => {
      const c = new Client(ws);
      open.push(c);
      resolve(c);
    });
    ws.once('error', reject);
  });
}

async function viaProxy(who: string): Promise<Client> {
  const c = await connect(proxy.url, { 'X-Test-Person': who, 'X-Forwarded-User': 'admin' });
  if (!(c instanceof Client)) throw new Error(`refused ${c.status}`);
  c.hello();
  await c.next('welcome');
  return c;
}

describe('behind the SSO proxy', () => {
  it('takes the person from the proxy, with the role their groups map to, and acts as them', async () => {
    const c = await viaProxy('wangwu');
    // the client's own X-Forwarded-User ("admin") never got past the proxy
    expect(c.of('welcome')[0]).toMatchObject({
      operator: '王五',
      identity: { login: 'wangwu', name: '王五', role: 'responder', via: 'proxy' },
    });
    const id = uuidv7();
    c.send({ type: 'action', id, action: 'alert.ack', payload: { fingerprint: 'fp000001' }, at: 1, actor: 'admin' });
    await until(() => c.of('result').find((r) => r.id === id), 'the ack result');
    expect(src.applied.at(-1)).toMatchObject({ type: 'alert.ack', operator: '王五' });
    const admin = await viaProxy('zhaoliu');
    expect(admin.of('welcome')[0]).toMatchObject({ identity: { role: 'admin', name: '赵六' } });
    const guest = await viaProxy('guest');
    expect(guest.of('welcome')[0]).toMatchObject({ identity: { role: 'viewer', name: 'guest' } });
  });

  it('refuses X-Forwarded-* from any address but the proxy, and a direct connection without them', async () => {
    const gwUrl = gw.url;
    expect(await connect(gwUrl, { 'X-Forwarded-User': 'zhaoliu', 'X-Forwarded-Groups': 'sre' }, '127.0.0.2')).toEqual({
      status: 403,
      reason: 'untrusted_proxy',
    });
    expect(await connect(gwUrl, { 'X-Forwarded-Email': 'zhaoliu@corp.example' }, '127.0.0.2')).toMatchObject({
      status: 403,
    });
    expect(await connect(gwUrl, { Authorization: 'Bearer something-long-enough' }, '127.0.0.2')).toEqual({
      status: 401,
      reason: 'missing',
    });
    const m = await (await fetch(`${gwUrl.replace('ws', 'http')}/metrics`)).text();
    expect(m).toMatch(/vigil_gateway_auth_failures_total\{source="test"\} [3-9]/);
  });

  it('cuts off a person revoked on the gateway, through the proxy too', async () => {
    const c = await viaProxy('wangwu');
    await runUsers(['revoke', 'wangwu', '--data-dir', dir.dir], { out: () => {}, by: 'cli:test' });
    await until(() => c.closed, 'the socket closed', 5000);
    expect(c.closed!.code).toBe(4001);
    expect(await connect(proxy.url, { 'X-Test-Person': 'wangwu' })).toEqual({ status: 403, reason: 'revoked' });
  });
});
