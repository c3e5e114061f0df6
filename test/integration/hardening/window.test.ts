/**
 * The BrowserWindow options and session policies the shell actually applies, read by running the shell's
 * own createMainWindow. The Electron runtime cannot run here, so `electron` is the one fake: a recorder
 * that keeps what the shell passes to BrowserWindow, the session and webContents. Fails on any weakening:
 * a preference relaxed, the CSP header not injected (or a different one), a permission granted beyond
 * notifications, navigation, redirects, webviews or new windows allowed, or an unvetted URL opened.
 *
 * `npx electronegativity` would be the usual scanner; it is not installed here and packages may not be
 * added, so this test and test/unit/foundation/hardening.test.ts are the equivalent checks.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CSP } from '@shared/csp';
import { tempDir } from '@test/helpers/tmp';

type Handler = (...args: never[]) => unknown;
const rec = vi.hoisted(() => ({
  options: [] as Record<string, unknown>[],
  contents: new Map<string, Handler>(),
  windowOpen: null as null | ((d: { url: string }) => { action: string }),
  headers: null as
    | null
    | ((
        details: { responseHeaders: Record<string, string[]> },
        cb: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void),
  permission: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
  opened: [] as string[],
  loaded: [] as string[],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {
      on: (ev: string, fn: Handler) => rec.contents.set(ev, fn),
      setWindowOpenHandler: (fn: typeof rec.windowOpen) => (rec.windowOpen = fn),
    };
    constructor(o: Record<string, unknown>) {
      rec.options.push(o);
    }
    maximize() {}
    on() {}
    once() {}
    isDestroyed() {
      return false;
    }
    loadFile(f: string) {
      rec.loaded.push(f);
      return Promise.resolve();
    }
    loadURL(u: string) {
      rec.loaded.push(u);
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    screen: { getAllDisplays: () => [] },
    shell: { openExternal: (u: string) => (rec.opened.push(u), Promise.resolve()) },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: typeof rec.headers) => (rec.headers = fn) },
        setPermissionRequestHandler: (fn: typeof rec.permission) => (rec.permission = fn),
      },
    },
  };
});

const { createMainWindow } = await import('@main/shell/window');

beforeEach(() => {
  rec.options.length = 0;
  rec.contents.clear();
  rec.opened.length = 0;
  const t = tempDir('vigil-window-');
  rec.loaded.length = 0;
  createMainWindow({ dataDir: t.dir, preload: '/app/preload/index.js' });
  t.cleanup();
});

describe('the window the shell creates', () => {
  it('is created once with isolation, sandbox, no Node and no webviews', () => {
    expect(rec.options).toHaveLength(1);
    const wp = rec.options[0].webPreferences as Record<string, unknown>;
    expect(wp).toEqual({
      preload: '/app/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    // the renderer comes from the app:// scheme, never file:// (test/integration/hardening/app-protocol.test.ts)
    expect(rec.loaded).toEqual(['app://vigil/index.html']);
  });

  it('sends the shared CSP with every response, replacing any the response had', () => {
    let out: Record<string, string[]> = {};
    rec.headers!(
      { responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ['script-src *'] } },
      (r) => (out = r.responseHeaders),
    );
    expect(out['Content-Security-Policy']).toEqual([CSP]);
    expect(out['Content-Type']).toEqual(['text/html']);
  });

  it('grants notifications and nothing else', () => {
    const asked: Record<string, boolean> = {};
    for (const p of [
      'notifications',
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'midi',
      'pointerLock',
    ])
      rec.permission!({}, p, (ok) => (asked[p] = ok));
    expect(
      Object.entries(asked)
        .filter(([, ok]) => ok)
        .map(([p]) => p),
    ).toEqual(['notifications']);
  });

  it('prevents navigation, redirects and webviews, and denies every new window', () => {
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      const fn = rec.contents.get(ev) as ((e: unknown) => void) | undefined;
      expect(fn, `${ev} is not handled`).toBeTypeOf('function');
      fn!(e);
      expect(e.preventDefault, ev).toHaveBeenCalled();
    }
    for (const url of [
      'https://runbooks.example/x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>1</script>',
      'vbscript:x',
    ])
      expect(rec.windowOpen!({ url }).action, url).toBe('deny');
    // only the vetted https link went to the OS browser
    expect(rec.opened).toEqual(['https://runbooks.example/x']);
  });
});
