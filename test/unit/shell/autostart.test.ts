/**
 * Start at login: the Linux XDG autostart entry written and removed in a temp config home (quoted per the
 * Desktop Entry spec, the AppImage file rather than its mount), the macOS/Windows login items through a
 * recorder, nothing registered by a development checkout; and the window that hides to the tray on close,
 * saying so once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUTOSTART_FILE,
  applyAutostart,
  autostartEntry,
  desktopExecArg,
  launchTarget,
  linuxAutostart,
  startedAtLogin,
  xdgConfigHome,
  type LoginItems,
} from '@main/shell/autostart';
import { keepRunningOnClose, shellStateFile } from '@main/shell/keep-running';
import { tempDir } from '@test/helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const tmp = () => {
  const t = tempDir('vigil-autostart-');
  cleanups.push(t.cleanup);
  return t.dir;
};
const loginItems = () => {
  const calls: unknown[] = [];
  const li: LoginItems = {
    setLoginItemSettings: (s) => calls.push(s),
    getLoginItemSettings: () => ({ openAtLogin: false }),
  };
  return { li, calls };
};
const target = { exec: '/opt/Vigil/vigil', args: ['--hidden'] };

describe('the Linux autostart entry', () => {
  it('is written where the session looks for it, and removed', () => {
    const home = tmp();
    const { li, calls } = loginItems();
    const on = applyAutostart(true, { platform: 'linux', target, loginItems: li, configHome: home });
    const file = path.join(home, 'autostart', AUTOSTART_FILE);
    expect(on).toEqual({ applied: true, enabled: true, where: file });
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '[Desktop Entry]',
        'Type=Application',
        'Name=Vigil',
        'Exec=/opt/Vigil/vigil --hidden',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
      ]),
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    // idempotent: applying again leaves the same entry
    applyAutostart(true, { platform: 'linux', target, loginItems: li, configHome: home });
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.readdirSync(path.join(home, 'autostart'))).toEqual([AUTOSTART_FILE]);
    expect(applyAutostart(false, { platform: 'linux', target, loginItems: li, configHome: home })).toEqual({
      applied: true,
      enabled: false,
      where: file,
    });
    expect(fs.existsSync(file)).toBe(false);
    // removing what is not there is fine
    expect(applyAutostart(false, { platform: 'linux', target, loginItems: li, configHome: home }).applied).toBe(true);
    expect(calls).toEqual([]);
  });

  it('rewrites an entry that points at an old location (an AppImage moved)', () => {
    const home = tmp();
    const { li } = loginItems();
    applyAutostart(true, {
      platform: 'linux',
      target: { exec: '/home/u/Downloads/Vigil.AppImage', args: ['--hidden'] },
      loginItems: li,
      configHome: home,
    });
    applyAutostart(true, {
      platform: 'linux',
      target: { exec: '/home/u/Apps/Vigil.AppImage', args: ['--hidden'] },
      loginItems: li,
      configHome: home,
    });
    expect(fs.readFileSync(linuxAutostart(home).file, 'utf8')).toContain('Exec=/home/u/Apps/Vigil.AppImage --hidden');
  });

  it('quotes the command per the Desktop Entry spec', () => {
    expect(desktopExecArg('/opt/Vigil/vigil')).toBe('/opt/Vigil/vigil');
    expect(desktopExecArg('/home/a b/Vigil.AppImage')).toBe('"/home/a b/Vigil.AppImage"');
    // inside quotes ", `, $ and \ are escaped with a backslash, and then every backslash is doubled
    expect(desktopExecArg('/x/"q"')).toBe('"/x/\\\\"q\\\\""');
    expect(desktopExecArg('/x/$HOME')).toBe('"/x/\\\\$HOME"');
    expect(desktopExecArg('/x/a\\b')).toBe('"/x/a\\\\\\\\b"');
    // % starts a field code: written twice
    expect(desktopExecArg('/x/100%')).toBe('/x/100%%');
    expect(() => desktopExecArg('/x/a\nExec=evil')).toThrow(/line break/);
    expect(autostartEntry({ exec: '/home/a b/V.AppImage', args: ['--hidden'] })).toContain(
      'Exec="/home/a b/V.AppImage" --hidden\n',
    );
  });

  it('reports a failure instead of throwing', () => {
    const home = tmp();
    fs.writeFileSync(path.join(home, 'autostart'), 'a file where the folder should be');
    const { li } = loginItems();
    expect(applyAutostart(true, { platform: 'linux', target, loginItems: li, configHome: home })).toMatchObject({
      applied: false,
    });
  });

  it('follows XDG_CONFIG_HOME when it is absolute', () => {
    expect(xdgConfigHome({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg');
    expect(xdgConfigHome({ XDG_CONFIG_HOME: 'relative/cfg' }, '/home/u')).toBe('/home/u/.config');
    expect(xdgConfigHome({}, '/home/u')).toBe('/home/u/.config');
  });
});

describe('login items on macOS and Windows', () => {
  it('Windows: the executable with --hidden, on and off', () => {
    const { li, calls } = loginItems();
    const t = { exec: 'C:\\Program Files\\Vigil\\Vigil.exe', args: ['--hidden'] };
    expect(applyAutostart(true, { platform: 'win32', target: t, loginItems: li, configHome: tmp() }).applied).toBe(
      true,
    );
    applyAutostart(false, { platform: 'win32', target: t, loginItems: li, configHome: tmp() });
    expect(calls).toEqual([
      { openAtLogin: true, path: t.exec, args: ['--hidden'] },
      { openAtLogin: false, path: t.exec, args: ['--hidden'] },
    ]);
  });

  it('macOS: the app as a login item', () => {
    const { li, calls } = loginItems();
    applyAutostart(true, { platform: 'darwin', target, loginItems: li, configHome: tmp() });
    expect(calls).toEqual([{ openAtLogin: true }]);
  });
});

describe('what is registered', () => {
  it('nothing for a development checkout', () => {
    const home = tmp();
    const { li, calls } = loginItems();
    const t = launchTarget({ packaged: false, execPath: '/repo/node_modules/electron/dist/electron', env: {} });
    expect(t).toBeNull();
    expect(applyAutostart(true, { platform: 'linux', target: t, loginItems: li, configHome: home })).toMatchObject({
      applied: false,
      reason: /not a packaged app/,
    });
    expect(fs.existsSync(path.join(home, 'autostart'))).toBe(false);
    expect(calls).toEqual([]);
  });

  it('the AppImage file, not the binary in its temporary mount', () => {
    expect(
      launchTarget({
        packaged: true,
        execPath: '/tmp/.mount_VigilX1/vigil',
        env: { APPIMAGE: '/home/u/Apps/Vigil.AppImage' },
      }),
    ).toEqual({
      exec: '/home/u/Apps/Vigil.AppImage',
      args: ['--hidden'],
    });
    expect(launchTarget({ packaged: true, execPath: '/opt/Vigil/vigil', env: {} })).toEqual({
      exec: '/opt/Vigil/vigil',
      args: ['--hidden'],
    });
  });

  it('knows when it was started at login', () => {
    const mac = (was: boolean) => ({ getLoginItemSettings: () => ({ wasOpenedAtLogin: was }) });
    expect(startedAtLogin(['/opt/Vigil/vigil', '--hidden'], 'linux', mac(false))).toBe(true);
    expect(startedAtLogin(['/opt/Vigil/vigil'], 'linux', mac(true))).toBe(false);
    expect(startedAtLogin(['/Applications/Vigil.app/Contents/MacOS/Vigil'], 'darwin', mac(true))).toBe(true);
    expect(startedAtLogin(['/Applications/Vigil.app/Contents/MacOS/Vigil'], 'darwin', mac(false))).toBe(false);
  });
});

describe('closing the window', () => {
  function win() {
    let onClose: ((e: { preventDefault(): void }) => void) | null = null;
    const hide = vi.fn();
    return {
      w: { on: (_ev: 'close', fn: (e: { preventDefault(): void }) => void) => (onClose = fn), hide },
      close: () => {
        const e = { preventDefault: vi.fn() };
        onClose!(e);
        return e.preventDefault.mock.calls.length > 0;
      },
      hide,
    };
  }

  it('hides it to the tray and says so once per data folder', () => {
    const dataDir = tmp();
    const tell = vi.fn();
    const a = win();
    keepRunningOnClose(a.w, { dataDir, quitting: () => false, tell });
    expect(a.close()).toBe(true);
    expect(a.close()).toBe(true);
    expect(a.hide).toHaveBeenCalledTimes(2);
    expect(tell).toHaveBeenCalledTimes(1);
    // a restart remembers it was said
    const b = win();
    keepRunningOnClose(b.w, { dataDir, quitting: () => false, tell });
    b.close();
    expect(tell).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fs.readFileSync(shellStateFile(dataDir), 'utf8'))).toEqual({ trayHintShown: true });
  });

  it('really closes when the app quits', () => {
    const tell = vi.fn();
    const a = win();
    keepRunningOnClose(a.w, { dataDir: tmp(), quitting: () => true, tell });
    expect(a.close()).toBe(false);
    expect(a.hide).not.toHaveBeenCalled();
    expect(tell).not.toHaveBeenCalled();
  });
});
