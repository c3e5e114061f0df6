/**
 * TLS between the console and the gateway, with a CA and certificates the test makes with openssl
 * (test/services/certs.ts): the gateway serves wss:// and https:// with its certificate; a console that
 * trusts the company CA file signs in and syncs over it; a console says exactly what is wrong when the
 * certificate is for another host name, signed by a CA it does not trust, expired, or its CA file is unusable.
 */
import fs from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkTestResult } from '@shared/contract/link';
import type { LinkState } from '@shared/domain';
import { startGateway, type Gateway } from '@gateway/server';
import { runUsers } from '@gateway/users-cli';
import { createCore, type Core } from '@core';
import { MemorySecretStore } from '@core/secrets';
import { silentLogger } from '@node/log';
import { makePki, type Ca } from '@test/services/certs';
import { tempDir } from '@test/helpers/tmp';
import { alert, call, testSource } from '../link/helpers';
import { until } from '@test/helpers/until';

let pki: ReturnType<typeof makePki>;
let ca: Ca;
const gateways: Record<string, Gateway> = {};
const dirs: { cleanup(): void }[] = [];
let token = '';
let c: Core;

async function tlsGateway(name: string, cert: { cert: Buffer; key: Buffer }): Promise<Gateway> {
  const d = tempDir(`vigil-tls-${name}-`);
  dirs.push(d);
  if (name === 'good') token = await users(d.dir);
  const gw = await startGateway({
    source: testSource([{ kind: 'alert.upsert', data: alert(1) }]),
    token: 'tls-shared-token-0123456789',
    tls: cert,
    dataDir: d.dir,
    port: 0,
    log: silentLogger,
  });
  gateways[name] = gw;
  return gw;
}
async function users(dir: string): Promise<string> {
  const out: string[] = [];
  await runUsers(['add', 'zhangsan', '--name', '张三', '--role', 'responder', '--data-dir', dir], {
    out: (l) => out.push(l),
    by: 'cli:test',
  });
  return out.at(-1)!.slice('token: '.length);
}
/** the gateway's wss:// URL under the host name `host` */
const at = (gw: Gateway, host = 'localhost') => `wss://${host}:${gw.port}`;

beforeAll(async () => {
  pki = makePki();
  ca = pki.ca('Vigil Company CA');
  const other = pki.ca('Somebody Else CA');
  await tlsGateway('good', pki.server(ca, 'good', ['localhost', '127.0.0.1']));
  await tlsGateway('wrongName', pki.server(ca, 'wrong-name', ['platform.example']));
  await tlsGateway('expired', pki.server(ca, 'expired', ['localhost'], { expired: true }));
  await tlsGateway('foreign', pki.server(other, 'foreign', ['localhost']));
  const d = tempDir('vigil-tls-console-');
  dirs.push(d);
  c = createCore({
    dataDir: d.dir,
    transport: 'browser',
    secrets: new MemorySecretStore(),
    log: silentLogger,
    platform: {},
  });
}, 60_000);

afterAll(async () => {
  await c?.close();
  for (const gw of Object.values(gateways)) await gw.close();
  dirs.forEach((d) => d.cleanup());
  pki?.remove();
});

const test = (url: string, caFile?: string | null, tok = token) =>
  call<LinkTestResult>(c, 'linkTest', { url, token: tok, caFile });

describe('TLS between console and gateway', () => {
  it('serves wss:// and https:// with its certificate', async () => {
    expect(gateways.good.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) =>
      https
        .get(`https://localhost:${gateways.good.port}/healthz`, { ca: fs.readFileSync(ca.certFile) }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        })
        .on('error', reject),
    );
    expect(JSON.parse(body)).toMatchObject({ status: 'ok', source: 'test' });
  });

  it('signs in over wss:// trusting the company CA file, checks the host name, and syncs', async () => {
    const r = await call<LinkTestResult>(c, 'linkSignIn', { url: at(gateways.good), token, caFile: ca.certFile });
    expect(r).toMatchObject({ ok: true, identity: { login: 'zhangsan', via: 'token' } });
    expect(await call(c, 'settingsGet')).toMatchObject({ platformUrl: at(gateways.good), platformCaFile: ca.certFile });
    await until(async () => (await call<LinkState>(c, 'linkState')).status === 'online', 'online over TLS');
    await until(
      () => (c.db!.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n === 1,
      'the alert over TLS',
    );
    // the certificate names 127.0.0.1 too
    expect(await test(at(gateways.good, '127.0.0.1'), ca.certFile)).toMatchObject({ ok: true });
  });

  it('says which of the certificate’s problems it is', async () => {
    const shared = 'tls-shared-token-0123456789';
    expect(await test(at(gateways.good), null)).toMatchObject({ ok: false, code: 'tls', tls: 'unknown_ca' });
    expect(await test(at(gateways.wrongName), ca.certFile, shared)).toMatchObject({
      ok: false,
      code: 'tls',
      tls: 'wrong_name',
    });
    expect(await test(at(gateways.expired), ca.certFile, shared)).toMatchObject({
      ok: false,
      code: 'tls',
      tls: 'expired',
    });
    expect(await test(at(gateways.foreign), ca.certFile, shared)).toMatchObject({
      ok: false,
      code: 'tls',
      tls: 'unknown_ca',
    });
    const missing = await test(at(gateways.good), '/nonexistent/company-ca.pem');
    expect(missing).toMatchObject({ ok: false, code: 'tls', tls: 'ca_file' });
    expect(!missing.ok && missing.message).toMatch(/The CA file \/nonexistent\/company-ca.pem cannot be read/);
    const wrong = await test(at(gateways.wrongName), ca.certFile, shared);
    expect(!wrong.ok && wrong.message).toMatch(/certificate is for another host name/);
    // a failed sign-in keeps nothing
    const before = await call(c, 'settingsGet');
    expect(
      await call<LinkTestResult>(c, 'linkSignIn', { url: at(gateways.expired), token: shared, caFile: ca.certFile }),
    ).toMatchObject({
      ok: false,
      tls: 'expired',
    });
    expect(await call(c, 'settingsGet')).toEqual(before);
  });
});
