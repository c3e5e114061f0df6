import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '@core';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import { FileSecretStore } from '@core/secrets';
import { DEFAULT_SETTINGS } from '@shared/domain';
import { tempDir } from '@test/helpers/tmp';

const open: Core[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  cleanups.splice(0).forEach((c) => c());
});
function makeCore(dataDir?: string, extra: Partial<Parameters<typeof createCore>[0]> = {}) {
  let dir = dataDir;
  if (!dir) {
    const t = tempDir();
    cleanups.push(t.cleanup);
    dir = t.dir;
  }
  const core = createCore({ dataDir: dir, transport: 'browser', clock: new FakeClock(), log: createLogger({ write: () => {} }), ...extra });
  open.push(core);
  return { core, dir };
}

describe('createCore', () => {
  it('serves app info, defaults, link state and empty collections on a fresh data dir', async () => {
    const { core, dir } = makeCore();
    const info = await core.dispatch('appInfo', []);
    expect(info).toMatchObject({ ok: true, value: { name: 'Vigil', transport: 'browser', dataDir: dir, store: { ok: true } } });
    expect(await core.dispatch('settingsGet', [])).toEqual({ ok: true, value: DEFAULT_SETTINGS });
    expect(await core.dispatch('linkState', [])).toMatchObject({ ok: true, value: { status: 'disabled' } });
    for (const m of ['alertsList', 'silencesList', 'dashboardsList', 'rostersList'])
      expect(await core.dispatch(m, [])).toEqual({ ok: true, value: [] });
    expect(await core.dispatch('runbooksSearch', [{ query: '' }])).toMatchObject({ ok: true, value: { total: 0, hits: [] } });
    expect(await core.dispatch('freshness', [])).toEqual({ ok: true, value: { alerts: null, runbooks: null, dashboards: null, rosters: null } });
  });

  it('writes settings, emits settingsChanged, audits, and keeps them across a restart', async () => {
    const { core, dir } = makeCore();
    const seen: unknown[] = [];
    core.on((name, payload) => name === 'settingsChanged' && seen.push(payload));
    const res = await core.dispatch('settingsSet', [{ language: 'zh-CN', operator: '王芳', quietHours: { enabled: true, start: '23:00', end: '07:30' } }]);
    expect(res).toMatchObject({ ok: true, value: { language: 'zh-CN', operator: '王芳' } });
    expect(seen).toHaveLength(1);
    expect(core.db!.prepare("SELECT actor, action FROM audit_log WHERE action = 'settings.set'").get()).toEqual({ actor: '王芳', action: 'settings.set' });
    await core.close();
    const { core: again } = makeCore(dir);
    expect(await again.dispatch('settingsGet', [])).toMatchObject({ ok: true, value: { language: 'zh-CN', operator: '王芳', quietHours: { start: '23:00' } } });
  });

  it('rejects bad arguments and unknown methods with clear errors and changes nothing', async () => {
    const { core } = makeCore();
    const bad = await core.dispatch('settingsSet', [{ theme: 'neon' }]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
    expect(await core.dispatch('settingsGet', [])).toEqual({ ok: true, value: DEFAULT_SETTINGS });
    expect(await core.dispatch('dropTables', [])).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await core.dispatch('__proto__', [])).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await core.dispatch('settingsSet', { 0: {} })).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
  });

  it('refuses unsafe links and opens vetted ones through the injected opener', async () => {
    const opened: string[] = [];
    const { core } = makeCore(undefined, { openExternal: async (u) => void opened.push(u) });
    expect(await core.dispatch('openExternal', ['javascript:alert(1)'])).toMatchObject({ ok: false, error: { code: 'unsafe_link' } });
    expect(await core.dispatch('openExternal', ['https://runbooks.example.internal/x'])).toEqual({ ok: true, value: { opened: true } });
    expect(opened).toEqual(['https://runbooks.example.internal/x']);
  });

  it('offers the folder chooser only where the shell injects one (Electron dialog faked: no Electron here)', async () => {
    const { core: web } = makeCore();
    expect(await web.dispatch('appInfo', [])).toMatchObject({ ok: true, value: { canPickFolder: false } });
    expect(await web.dispatch('pickFolder', [])).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('type the folder path') } });
    const answers = ['/home/oncall/src/runbooks', null];
    const { core: desktop } = makeCore(undefined, { pickFolder: async () => answers.shift() ?? null });
    expect(await desktop.dispatch('appInfo', [])).toMatchObject({ ok: true, value: { canPickFolder: true } });
    expect(await desktop.dispatch('pickFolder', [])).toEqual({ ok: true, value: { path: '/home/oncall/src/runbooks' } });
    expect(await desktop.dispatch('pickFolder', [])).toEqual({ ok: true, value: { path: null } });
    expect(await desktop.dispatch('pickFolder', ['/etc'] as never)).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
  });

  it('answers with a clear store error when the database is damaged, and recovers by moving it aside', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    fs.writeFileSync(path.join(t.dir, 'vigil.db'), 'garbage '.repeat(500));
    const { core } = makeCore(t.dir);
    const info = await core.dispatch('appInfo', []);
    expect(info).toMatchObject({ ok: true, value: { store: { ok: false, code: 'corrupt' } } });
    expect(await core.dispatch('alertsList', [])).toMatchObject({ ok: false, error: { code: 'store_unavailable', message: expect.stringContaining('damaged') } });
    expect(await core.dispatch('settingsSet', [{ theme: 'dark' }])).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });
    expect(await core.dispatch('storeRecover', [])).toMatchObject({ ok: true, value: { ok: true } });
    expect(await core.dispatch('alertsList', [])).toEqual({ ok: true, value: [] });
    expect(fs.readdirSync(t.dir).filter((f) => f.startsWith('vigil.db.broken-'))).toHaveLength(1);
  });

  it('says the data folder cannot be written (not "damaged"), and "try again" opens it once it can, moving nothing aside', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    // the data folder's place is taken by a file: nothing can be created in it (as a read-only mount)
    const dataDir = path.join(t.dir, 'data');
    fs.writeFileSync(dataDir, 'not a folder');
    const { core } = makeCore(dataDir);
    expect(await core.dispatch('appInfo', [])).toMatchObject({ ok: true, value: { store: { ok: false, code: 'unwritable', message: expect.stringContaining('cannot be written') } } });
    expect(await core.dispatch('storeRecover', [])).toMatchObject({ ok: true, value: { ok: false, code: 'unwritable' } });
    fs.rmSync(dataDir);
    expect(await core.dispatch('storeRecover', [])).toMatchObject({ ok: true, value: { ok: true } });
    expect(fs.readdirSync(t.dir)).toEqual(['data']);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('broken'))).toEqual([]);
  });
});

describe('secrets and logs', () => {
  it('keeps the token in a 0600 file, never in SQLite, and redacts it from log lines', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const lines: string[] = [];
    const token = 'tok_9f8e7d6c5b4a39281706';
    const secrets = new FileSecretStore(t.dir);
    await secrets.set('platformToken', token);
    expect(fs.statSync(path.join(t.dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const log = createLogger({ write: (l) => lines.push(l) });
    const { core } = makeCore(t.dir, { secrets, log, platform: { url: 'ws://127.0.0.1:1', token } });
    log.log('info', 'connect', { url: `ws://x/?t=${token}`, headers: { Authorization: `Bearer ${token}` }, token });
    log.log('warn', 'frame', { raw: `Authorization: Bearer abc.def-ghi` });
    await core.close();
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain('abc.def-ghi');
    for (const f of fs.readdirSync(t.dir).filter((f) => f.startsWith('vigil.db')))
      expect(fs.readFileSync(path.join(t.dir, f)).includes(Buffer.from(token))).toBe(false);
  });
});
