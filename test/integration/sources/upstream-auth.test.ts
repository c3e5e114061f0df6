/**
 * Upstream auth and TLS: a loopback reverse proxy in front of a real Alertmanager demands a tenant header
 * and basic auth (as a Mimir/Cortex gateway or an auth proxy does), once over plain HTTP and once over TLS
 * with a certificate from a test CA made with openssl. Without the config the source reports a clear 401
 * (or an untrusted certificate); with it everything works, actions included.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { DEFAULT_ACK_EXTENSION, type ClusterConfig } from '@gateway/config';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import type { SourceEvent, SourceHealth } from '@gateway/source';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { makeTempDir } from '@test/services/common';
import { startProxy, type Proxy } from '@test/services/proxy';

let am: AlertmanagerHarness;
let plain: Proxy;
let tls: Proxy;
const tmp = makeTempDir('vigil-auth-');
const file = (name: string) => path.join(tmp.dir, name);
const PASSWORD = 'correct horse battery staple';

/** a test CA and a server certificate for 127.0.0.1 signed by it */
function makeCerts(): { key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Vigil Test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  return { key: fs.readFileSync(file('server-key.pem'), 'utf8'), cert: fs.readFileSync(file('server.pem'), 'utf8') };
}

const sources: AlertmanagerSource[] = [];
async function run(cluster: Omit<ClusterConfig, 'name' | 'ackExtension'>) {
  const events: SourceEvent[] = [];
  const health: SourceHealth[] = [];
  const source = createAlertmanagerSource({
    clusters: [{ name: 'tenant-a', ackExtension: DEFAULT_ACK_EXTENSION, ...cluster }],
    pollIntervalMs: 60_000,
    requestTimeoutMs: 3000,
    warn: () => undefined,
  });
  sources.push(source);
  await source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => Date.now() });
  const alerts = events.filter((e) => e.kind === 'alert.upsert').map((e) => e.data as Alert);
  return { source, events, health, alerts };
}

beforeAll(async () => {
  am = await startAlertmanager();
  await am.postAlerts([{ labels: { alertname: 'TenantAlert', severity: 'warning' } }]);
  fs.writeFileSync(file('am-pass'), `${PASSWORD}\n`);
  const demand = { demandHeaders: { 'X-Scope-OrgID': 'team-a' }, demandBasic: { username: 'vigil', password: PASSWORD } };
  plain = await startProxy({ target: am.url, ...demand });
  tls = await startProxy({ target: am.url, ...demand, tls: makeCerts() });
}, 60_000);

afterAll(async () => {
  for (const s of sources) await s.stop();
  await plain?.stop();
  await tls?.stop();
  await am?.stop();
  tmp.remove();
});

const access = () => ({ headers: { 'X-Scope-OrgID': 'team-a' }, basicAuth: { username: 'vigil', passwordFile: file('am-pass') } });

describe('upstream auth', () => {
  it('without the config: a clear 401 in the health line, no alerts', async () => {
    const r = await run({ members: [plain.url] });
    expect(r.alerts).toEqual([]);
    const h = r.health.at(-1)!;
    expect(h.upstream).toBe('down');
    expect(h.detail).toContain(`Alertmanager at ${plain.url} answered 401`);
    expect(h.detail).toContain('unauthorized');
    expect(h.detail).toContain('check the upstream');
    expect(plain.log.some((l) => l.endsWith(' 401'))).toBe(true);
  });

  it('with the header and basic auth: alerts flow and an ack goes through the proxy', async () => {
    const r = await run({ members: [plain.url], access: access() });
    expect(r.health.at(-1)).toMatchObject({ upstream: 'ok' });
    const alert = r.alerts.find((a) => a.alertname === 'TenantAlert');
    expect(alert).toMatchObject({ cluster: 'tenant-a' });
    const out = await r.source.apply({ id: '00000000-0000-7000-8000-000000000001', type: 'alert.ack', payload: { fingerprint: alert!.fingerprint }, at: Date.now(), operator: 'li.wei' });
    expect(out).toEqual({ ok: true });
    expect((await am.silences()).some((s) => s.comment === 'ACK by li.wei')).toBe(true);
    expect(plain.log.filter((l) => l.startsWith('POST /api/v2/silences')).at(-1)).toMatch(/ 200$/);
  });

  it('a password file that cannot be read is named in the health line', async () => {
    const r = await run({ members: [plain.url], access: { ...access(), basicAuth: { username: 'vigil', passwordFile: file('missing') } } });
    expect(r.health.at(-1)?.detail).toContain(`basicAuth.passwordFile file ${file('missing')} cannot be read: ENOENT`);
  });

  it('over TLS: an untrusted certificate is said so; with tls.caFile everything works', async () => {
    const untrusted = await run({ members: [tls.url], access: access() });
    expect(untrusted.health.at(-1)?.detail).toMatch(/TLS: .*not trust.*set tls\.caFile/);
    const trusted = await run({ members: [tls.url], access: { ...access(), tls: { caFile: file('ca.pem') } } });
    expect(trusted.health.at(-1)).toMatchObject({ upstream: 'ok' });
    expect(trusted.alerts.some((a) => a.alertname === 'TenantAlert')).toBe(true);
  });
});
