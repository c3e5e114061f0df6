/**
 * The shell's IPC door (src/main/shell/ipc.ts): one handler per contract method, answered only for our own
 * page — the top frame of our window, showing app://vigil (or the dev server's origin in development).
 * `electron` is a recorder (the runtime cannot run here); the core is a real one on a temp dir, so an
 * accepted call returns real data and a refused one never reaches it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf, eventChannelOf, methodNames } from '@shared/api';
import { createCore, type Core } from '@core';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';

type Handler = (e: unknown, ...args: unknown[]) => unknown;
const rec = vi.hoisted(() => ({ handlers: new Map<string, Handler>() }));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (ch: string, fn: Handler) => {
      if (rec.handlers.has(ch)) throw new Error(`second handler for ${ch}`);
      rec.handlers.set(ch, fn);
    },
    removeHandler: (ch: string) => rec.handlers.delete(ch),
  },
}));

const { wireIpc, originOf } = await import('@main/shell/ipc');

const t = tempDir('vigil-ipc-');
let core: Core;
let dispatched: string[] = [];
const sent: [string, unknown][] = [];
const win = {
  destroyed: false,
  isDestroyed() {
    return this.destroyed;
  },
  webContents: { id: 7, send: (ch: string, payload: unknown) => sent.push([ch, payload]) },
};
const top = (url: string) => ({ url, parent: null });
const event = (frame: { url: string; parent: unknown } | null, senderId = 7) => ({
  senderFrame: frame,
  sender: { id: senderId },
});
const call = (name: string, e: unknown, ...args: unknown[]) =>
  rec.handlers.get(channelOf(name as never))!(e, ...args) as Promise<{ ok: boolean; error?: { code: string } }>;
let unwire: () => void;

beforeAll(() => {
  const real = createCore({
    dataDir: t.dir,
    transport: 'electron',
    clock: new FakeClock(),
    log: createLogger({ write: () => {} }),
  });
  core = {
    ...real,
    dispatch: (name: string, args: unknown) => (dispatched.push(name), real.dispatch(name, args)),
  } as Core;
  core.close = () => real.close();
  core.on = real.on;
  unwire = wireIpc(core, () => win as never, 'http://localhost:5173');
});
afterAll(async () => {
  await core.close();
  t.cleanup();
});
beforeEach(() => {
  dispatched = [];
  win.destroyed = false;
});

describe('the IPC sender check', () => {
  it('registers exactly one handler per contract method', () => {
    expect([...rec.handlers.keys()].sort()).toEqual(methodNames.map((n) => channelOf(n)).sort());
  });

  it("answers our own page's top frame on app://vigil", async () => {
    const r = await call('settingsGet', event(top('app://vigil/index.html')));
    expect(r.ok).toBe(true);
    expect(dispatched).toEqual(['settingsGet']);
  });

  it('answers the dev server origin in development, and only that origin', async () => {
    expect((await call('appInfo', event(top('http://localhost:5173/src/index.html')))).ok).toBe(true);
    for (const url of [
      'http://localhost:51730/',
      'http://localhost:5173.evil.example/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
    ])
      expect((await call('appInfo', event(top(url)))).error?.code, url).toBe('forbidden');
    expect(dispatched).toEqual(['appInfo']);
  });

  it.each([
    ['file://', event(top('file:///opt/Vigil/resources/app.asar/out/renderer/index.html'))],
    ['another https origin', event(top('https://evil.example/'))],
    ['another app host', event(top('app://evil/index.html'))],
    ['a look-alike app host', event(top('app://vigil.evil/index.html'))],
    ['user info before the host', event(top('app://evil@vigil/index.html'))],
    ['about:blank', event(top('about:blank'))],
    ['a data: URL', event(top('data:text/html,<script>1</script>'))],
    ['a subframe of our own page', event({ url: 'app://vigil/index.html', parent: top('app://vigil/index.html') })],
    ['a subframe from elsewhere', event({ url: 'https://evil.example/', parent: top('app://vigil/index.html') })],
    ['another webContents showing our page', event(top('app://vigil/index.html'), 8)],
    ['a destroyed frame', event(null)],
  ])('refuses %s and never reaches the core', async (_what, e) => {
    const r = await call('settingsSet', e, { operator: 'mallory' });
    expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: 'untrusted sender' } });
    expect(dispatched).toEqual([]);
  });

  it('refuses every caller once the window is gone', async () => {
    win.destroyed = true;
    expect((await call('settingsGet', event(top('app://vigil/index.html')))).error?.code).toBe('forbidden');
    expect(dispatched).toEqual([]);
  });

  it('compares origins, not prefixes', () => {
    expect(originOf('app://vigil/index.html')).toBe('app://vigil');
    expect(originOf('APP://VIGIL/x')).toBe('app://vigil');
    expect(originOf('app://vigil.evil/x')).toBe('app://vigil.evil');
    expect(originOf('app://x@vigil/')).toBeNull();
    expect(originOf('http://localhost:5173/a')).toBe('http://localhost:5173');
    expect(originOf('not a url')).toBeNull();
  });

  it('forwards core events to the window, and unwires cleanly', async () => {
    await call('settingsSet', event(top('app://vigil/index.html')), { operator: 'alice' });
    expect(sent.filter(([ch]) => ch === eventChannelOf('settingsChanged')).at(-1)?.[1]).toMatchObject({ operator: 'alice' });
    unwire();
    expect(rec.handlers.size).toBe(0);
    const before = sent.length;
    await core.dispatch('settingsSet', [{ operator: 'bob' }]);
    expect(sent.length).toBe(before);
  });
});
