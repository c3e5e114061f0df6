/**
 * Updates: the "not now" rule (pure, and as queried from a real core), the update service on a FakeClock
 * with a recorder in place of electron-updater (check at start and daily, download in the background,
 * install only when asked and allowed, never on quit), update.json validation, and the detached signature
 * check with real keys over real files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '@core';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import type { AlertCounts } from '@shared/contract/alerts';
import { SEVERITIES, type Severity } from '@shared/domain';
import { installVerdict, queryInstallVerdict, type InstallVerdict } from '@main/shell/update-policy';
import { CHECK_EVERY_MS, createUpdateService, type UpdaterLike, type UpdateState } from '@main/shell/updater';
import {
  checkDownloadSignature,
  loadUpdateConfig,
  signatureUrl,
  writeUpdaterConfig,
  type FetchLike,
  type UpdateConfig,
} from '@main/shell/update-feed';
import { tempDir } from '@test/helpers/tmp';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const tmp = (prefix: string) => {
  const t = tempDir(prefix);
  cleanups.push(t.cleanup);
  return t.dir;
};

function counts(
  unacked: Partial<Record<Severity, number>> = {},
  total: Partial<Record<Severity, number>> = {},
): AlertCounts {
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, { total: Math.max(total[s] ?? 0, unacked[s] ?? 0), unacked: unacked[s] ?? 0 }]),
  ) as AlertCounts['bySeverity'];
  const n = Object.values(unacked).reduce((a, b) => a + (b ?? 0), 0);
  return { bySeverity, unacked: n, worstUnacked: SEVERITIES.find((s) => (unacked[s] ?? 0) > 0) ?? null };
}

describe('the "not now" rule', () => {
  it('allows an install when no incident is open and no P0/P1 is unacked', () => {
    expect(installVerdict({ counts: counts(), openIncidents: [] })).toEqual({ ok: true });
    // P2/P3 unacked, and acked or silenced P0/P1 (total without unacked), do not hold it back
    expect(installVerdict({ counts: counts({ P2: 4, P3: 9 }, { P0: 2, P1: 3 }), openIncidents: [] })).toEqual({
      ok: true,
    });
    expect(installVerdict({ counts: counts(), openIncidents: [{ id: 'i1', status: 'closed' }] })).toEqual({ ok: true });
  });

  it.each(['investigating', 'mitigated', 'resolved'] as const)(
    'holds it back while an incident is %s (not closed)',
    (status) => {
      expect(installVerdict({ counts: counts(), openIncidents: [{ id: 'i1', status }] })).toEqual({
        ok: false,
        reason: 'incident_open',
        incidents: 1,
      });
    },
  );

  it.each(['P0', 'P1'] as const)('holds it back while a %s is unacked', (s) => {
    expect(installVerdict({ counts: counts({ [s]: 1 }), openIncidents: [] })).toEqual({
      ok: false,
      reason: 'unacked_p0_p1',
      alerts: 1,
    });
  });

  it('counts P0 and P1 together, and names the incident first when both hold', () => {
    expect(installVerdict({ counts: counts({ P0: 1, P1: 2, P2: 5 }), openIncidents: [] })).toEqual({
      ok: false,
      reason: 'unacked_p0_p1',
      alerts: 3,
    });
    expect(
      installVerdict({
        counts: counts({ P0: 1 }),
        openIncidents: [
          { id: 'a', status: 'investigating' },
          { id: 'b', status: 'mitigated' },
        ],
      }),
    ).toEqual({
      ok: false,
      reason: 'incident_open',
      incidents: 2,
    });
  });

  it('holds it back when the state cannot be read', () => {
    expect(installVerdict({ unknown: 'store unavailable' })).toEqual({
      ok: false,
      reason: 'state_unknown',
      detail: 'store unavailable',
    });
  });

  it('reads the state from a real core: an incident declared holds the install back', async () => {
    const core = createCore({
      dataDir: tmp('vigil-upd-core-'),
      transport: 'electron',
      clock: new FakeClock(),
      log: createLogger({ write: () => {} }),
    });
    cleanups.push(() => core.close());
    expect(await queryInstallVerdict(core)).toEqual({ ok: true });
    const declared = await core.dispatch('incidentDeclare', [
      {
        title: 'Order pull stalled',
        triage: { serviceDown: true, coreAffected: null, uxDegraded: null },
        severity: 'P0',
      },
    ]);
    expect(declared.ok).toBe(true);
    expect(await queryInstallVerdict(core)).toEqual({ ok: false, reason: 'incident_open', incidents: 1 });
  });

  it('reads unacked P0/P1 from the core, and treats a failing core as "not now"', async () => {
    const fake = (c: AlertCounts | null) =>
      ({
        dispatch: async (name: string) =>
          name === 'alertCounts'
            ? c
              ? { ok: true, value: c }
              : { ok: false, error: { code: 'store_unavailable', message: 'the database is damaged' } }
            : { ok: true, value: [] },
      }) as unknown as Core;
    expect(await queryInstallVerdict(fake(counts({ P1: 2 })))).toEqual({
      ok: false,
      reason: 'unacked_p0_p1',
      alerts: 2,
    });
    expect(await queryInstallVerdict(fake(null))).toMatchObject({ ok: false, reason: 'state_unknown' });
  });
});

class FakeUpdater implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
  allowPrerelease = true;
  updateConfigPath: string | null = null;
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  private listeners = new Map<string, ((...a: never[]) => void)[]>();
  on(event: string, fn: (...a: never[]) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }
  async checkForUpdates() {
    this.checks++;
    this.emit('checking-for-update');
    return null;
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean) {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

function service(opts: { verdict?: InstallVerdict; signature?: { ok: true } | { ok: false; reason: string } } = {}) {
  const clock = new FakeClock();
  const updater = new FakeUpdater();
  const states: UpdateState[] = [];
  let quitPrepared = 0;
  let verdict: InstallVerdict = opts.verdict ?? { ok: true };
  const verified: string[] = [];
  const s = createUpdateService({
    clock,
    updater,
    configPath: '/data/updater/app-update.yml',
    verify: async (file) => (verified.push(file), opts.signature ?? { ok: true }),
    verdict: async () => verdict,
    prepareQuit: () => quitPrepared++,
    onChange: (st) => states.push(st),
  });
  return {
    s,
    clock,
    updater,
    states,
    verified,
    quitPrepared: () => quitPrepared,
    setVerdict: (v: InstallVerdict) => (verdict = v),
  };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('the update service', () => {
  it('downloads in the background, never installs on quit, never downgrades, reads the feed written from update.json', () => {
    const { updater } = service();
    expect(updater).toMatchObject({
      autoDownload: true,
      autoInstallOnAppQuit: false,
      allowDowngrade: false,
      allowPrerelease: false,
      updateConfigPath: '/data/updater/app-update.yml',
    });
  });

  it('checks at start and then once a day, on the injected clock', async () => {
    const { s, clock, updater } = service();
    expect(updater.checks).toBe(0);
    s.start();
    expect(updater.checks).toBe(1);
    s.start(); // idempotent
    clock.advance(CHECK_EVERY_MS - 1);
    await flush();
    expect(updater.checks).toBe(1);
    clock.advance(1);
    await flush();
    expect(updater.checks).toBe(2);
    clock.advance(CHECK_EVERY_MS);
    await flush();
    expect(updater.checks).toBe(3);
    s.stop();
    clock.advance(5 * CHECK_EVERY_MS);
    await flush();
    expect(updater.checks).toBe(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('offers an update only after its signature checked out, and installs only when asked and allowed', async () => {
    const { s, updater, verified, quitPrepared, setVerdict } = service();
    s.start();
    updater.emit('update-available', { version: '0.2.0' });
    expect(s.state()).toMatchObject({ phase: 'downloading', version: '0.2.0' });
    expect(await s.installNow()).toEqual({ ok: false, reason: 'no_update' });
    updater.emit('update-downloaded', {
      version: '0.2.0',
      downloadedFile: '/cache/vigil-updater/pending/Vigil-0.2.0.AppImage',
    });
    expect(s.state().phase).toBe('verifying');
    await flush();
    expect(verified).toEqual(['/cache/vigil-updater/pending/Vigil-0.2.0.AppImage']);
    expect(s.state()).toMatchObject({ phase: 'ready', version: '0.2.0' });
    // nothing is installed until the person chooses
    expect(updater.installs).toEqual([]);
    setVerdict({ ok: false, reason: 'incident_open', incidents: 1 });
    expect(await s.installNow()).toEqual({ ok: false, reason: 'incident_open', incidents: 1 });
    expect(updater.installs).toEqual([]);
    expect(quitPrepared()).toBe(0);
    setVerdict({ ok: true });
    expect(await s.installNow()).toEqual({ ok: true });
    expect(quitPrepared()).toBe(1);
    expect(updater.installs).toEqual([[false, true]]);
  });

  it('refuses an update whose signature does not check out', async () => {
    const { s, updater } = service({
      signature: { ok: false, reason: 'the signature does not match the downloaded file' },
    });
    s.start();
    updater.emit('update-downloaded', { version: '0.2.0', downloadedFile: '/cache/x.exe' });
    await flush();
    expect(s.state()).toMatchObject({
      phase: 'failed',
      error: 'the signature does not match the downloaded file',
      version: '0.2.0',
    });
    expect(await s.installNow()).toEqual({ ok: false, reason: 'no_update' });
    expect(updater.installs).toEqual([]);
  });

  it('reports errors and up-to-date checks, and keeps a verified update through a later failing check', async () => {
    const { s, updater } = service();
    updater.emit('update-not-available', { version: '0.1.0' });
    expect(s.state().phase).toBe('idle');
    updater.emit('error', new Error('net::ERR_NAME_NOT_RESOLVED\n at …'));
    expect(s.state()).toMatchObject({ phase: 'failed', error: 'net::ERR_NAME_NOT_RESOLVED' });
    updater.emit('update-downloaded', { version: '0.3.0', downloadedFile: '/cache/y.exe' });
    await flush();
    updater.emit('error', new Error('offline'));
    updater.emit('checking-for-update');
    expect(s.state()).toMatchObject({ phase: 'ready', version: '0.3.0' });
  });
});

describe('update.json and the feed signature', () => {
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const config = (over: Partial<UpdateConfig> = {}): UpdateConfig => ({
    url: 'https://updates.example.com/vigil/',
    publicKey: pub,
    ...over,
  });
  const write = (dir: string, body: unknown) =>
    fs.writeFileSync(path.join(dir, 'update.json'), typeof body === 'string' ? body : JSON.stringify(body));

  it('means no updater at all when no update.json exists', () => {
    expect(loadUpdateConfig([tmp('vigil-upd-a-'), tmp('vigil-upd-b-')])).toEqual({
      config: null,
      file: null,
      error: null,
    });
  });

  it('reads the first update.json found (the data folder before the app resources) and normalises the URL', () => {
    const data = tmp('vigil-upd-data-');
    const res = tmp('vigil-upd-res-');
    write(res, { url: 'https://res.example.com/feed', publicKey: pub });
    expect(loadUpdateConfig([data, res])).toMatchObject({
      config: { url: 'https://res.example.com/feed/' },
      file: path.join(res, 'update.json'),
    });
    write(data, { url: 'https://data.example.com/feed/', publicKey: pub, publisherName: ['Example Corp'] });
    expect(loadUpdateConfig([data, res])).toMatchObject({
      config: { url: 'https://data.example.com/feed/', publisherName: ['Example Corp'] },
    });
  });

  it.each([
    ['http feed', { url: 'http://updates.example.com/', publicKey: 'x' }, /https/],
    ['no key', { url: 'https://updates.example.com/' }, /./],
    [
      'a key that is not one',
      { url: 'https://updates.example.com/', publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' },
      /publicKey/,
    ],
    [
      'a short RSA key',
      {
        url: 'https://updates.example.com/',
        publicKey: crypto
          .generateKeyPairSync('rsa', { modulusLength: 1024 })
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString(),
      },
      /publicKey/,
    ],
    ['an unknown field', { url: 'https://updates.example.com/', publicKey: pub, autoInstall: true }, /./],
    ['not JSON', '{ url: ', /not JSON/],
  ])('refuses %s (and so runs no updater)', (_what, body, msg) => {
    const dir = tmp('vigil-upd-bad-');
    write(dir, body);
    const r = loadUpdateConfig([dir]);
    expect(r.config).toBeNull();
    expect(r).toMatchObject({ file: path.join(dir, 'update.json') });
    expect((r as { error: string }).error).toMatch(msg);
  });

  it("writes electron-updater's generic-provider config from update.json", () => {
    const dir = tmp('vigil-upd-cfg-');
    const file = writeUpdaterConfig(config({ publisherName: ['Example Corp'] }), dir);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      provider: 'generic',
      url: 'https://updates.example.com/vigil/',
      updaterCacheDirName: 'vigil-updater',
      publisherName: ['Example Corp'],
    });
  });

  it('checks the downloaded file against <file>.sig from the feed', async () => {
    const dir = tmp('vigil-upd-sig-');
    const file = path.join(dir, 'Vigil 0.2.0.AppImage');
    fs.writeFileSync(file, crypto.randomBytes(3 * 1024 * 1024));
    const sig = crypto.sign('sha256', fs.readFileSync(file), ec.privateKey);
    const asked: string[] = [];
    const feed =
      (body: Uint8Array | null, status = 200): FetchLike =>
      async (url) => (
        asked.push(url),
        {
          ok: body !== null && status === 200,
          status: body ? status : 404,
          arrayBuffer: async () => (body ?? new Uint8Array()).slice().buffer,
        }
      );
    expect(signatureUrl(config().url, file)).toBe('https://updates.example.com/vigil/Vigil%200.2.0.AppImage.sig');
    expect(await checkDownloadSignature({ config: config(), file, fetch: feed(sig) })).toEqual({ ok: true });
    expect(asked).toEqual(['https://updates.example.com/vigil/Vigil%200.2.0.AppImage.sig']);
    // a tampered file, a signature by another key, none at all, an empty or oversized one
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(
      await checkDownloadSignature({
        config: config(),
        file,
        fetch: feed(crypto.sign('sha256', fs.readFileSync(file), other.privateKey)),
      }),
    ).toMatchObject({ ok: false });
    expect(await checkDownloadSignature({ config: config(), file, fetch: feed(null) })).toMatchObject({
      ok: false,
      reason: /HTTP 404/,
    });
    expect(await checkDownloadSignature({ config: config(), file, fetch: feed(new Uint8Array()) })).toMatchObject({
      ok: false,
    });
    expect(await checkDownloadSignature({ config: config(), file, fetch: feed(new Uint8Array(20_000)) })).toMatchObject(
      { ok: false },
    );
    const failing: FetchLike = async () => {
      throw new Error('net::ERR_INTERNET_DISCONNECTED');
    };
    expect(await checkDownloadSignature({ config: config(), file, fetch: failing })).toMatchObject({
      ok: false,
      reason: /ERR_INTERNET_DISCONNECTED/,
    });
    fs.appendFileSync(file, 'x');
    expect(await checkDownloadSignature({ config: config(), file, fetch: feed(sig) })).toEqual({
      ok: false,
      reason: 'the signature does not match the downloaded file',
    });
  });

  it('accepts RSA signatures too', async () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = tmp('vigil-upd-rsa-');
    const file = path.join(dir, 'Vigil-Setup-0.2.0.exe');
    fs.writeFileSync(file, 'installer bytes');
    const sig = crypto.sign('sha256', fs.readFileSync(file), rsa.privateKey);
    const cfg = config({ publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(
      await checkDownloadSignature({
        config: cfg,
        file,
        fetch: async () => ({
          ok: true,
          status: 200,
          arrayBuffer: async () => sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.length),
        }),
      }),
    ).toEqual({ ok: true });
  });
});
