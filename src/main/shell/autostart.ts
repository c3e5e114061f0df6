/**
 * Start at login (Settings → "Start Vigil when I log in", on by default): the pager must be heard even when
 * nobody remembered to open the console after a reboot. The app then starts in the tray (`--hidden`).
 *
 * - Linux: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/dev.vigil.console.desktop (default
 *   ~/.config/autostart), written and removed here. For an AppImage the entry runs the AppImage file
 *   ($APPIMAGE), not the binary inside its temporary mount.
 * - macOS and Windows: the OS login items, through app.setLoginItemSettings.
 *
 * Only a packaged app registers itself: a development checkout started by `npm start` needs the
 * environment that script sets up (the Electron-ABI SQLite module), which a login session would not have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const AUTOSTART_FILE = 'dev.vigil.console.desktop';
export const HIDDEN_ARG = '--hidden';

/** What runs at login. */
export interface LaunchTarget {
  exec: string;
  args: string[];
}

/** The parts of Electron's `app` used here (so tests hand in a recorder). */
export interface LoginItems {
  setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }): void;
  getLoginItemSettings(o?: { path?: string; args?: string[] }): { openAtLogin: boolean };
}

const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One Exec= argument, quoted per the Desktop Entry spec (quoting rules, then the string escape of "\\"). */
export function desktopExecArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new Error('a login command cannot contain a line break or NUL');
  const fieldSafe = arg.replace(/%/g, '%%');
  if (arg !== '' && !RESERVED.test(arg)) return fieldSafe;
  const quoted = `"${fieldSafe.replace(/(["`$\\])/g, '\\$1')}"`;
  // the value itself is a desktop-entry string: every backslash is written twice
  return quoted.replace(/\\/g, '\\\\');
}

export function autostartEntry(target: LaunchTarget): string {
  const exec = [target.exec, ...target.args].map(desktopExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Vigil',
    'Comment=On-call console (starts in the tray)',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'X-Vigil-Autostart=true',
    '',
  ].join('\n');
}

/** $XDG_CONFIG_HOME when it is absolute (the spec ignores a relative one), else ~/.config. */
export function xdgConfigHome(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const v = env.XDG_CONFIG_HOME;
  return v && path.isAbsolute(v) ? v : path.join(home, '.config');
}

export function linuxAutostart(configHome: string) {
  const dir = path.join(configHome, 'autostart');
  const file = path.join(dir, AUTOSTART_FILE);
  return {
    file,
    /** true when our entry exists and runs `target` */
    isCurrent(target: LaunchTarget): boolean {
      try {
        return fs.readFileSync(file, 'utf8') === autostartEntry(target);
      } catch {
        return false;
      }
    },
    write(target: LaunchTarget): void {
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, autostartEntry(target), { mode: 0o644 });
      fs.renameSync(tmp, file);
    },
    remove(): void {
      fs.rmSync(file, { force: true });
    },
  };
}

/** The command a packaged app registers; null in a development checkout. */
export function launchTarget(opts: {
  packaged: boolean;
  execPath: string;
  env: NodeJS.ProcessEnv;
}): LaunchTarget | null {
  if (!opts.packaged) return null;
  const exec = opts.env.APPIMAGE && path.isAbsolute(opts.env.APPIMAGE) ? opts.env.APPIMAGE : opts.execPath;
  return { exec, args: [HIDDEN_ARG] };
}

export type AutostartResult = { applied: true; enabled: boolean; where: string } | { applied: false; reason: string };

/** Makes the OS match the setting. Idempotent; never throws (a failure is reported, the app keeps running). */
export function applyAutostart(
  enabled: boolean,
  deps: { platform: NodeJS.Platform; target: LaunchTarget | null; loginItems: LoginItems; configHome: string },
): AutostartResult {
  if (!deps.target)
    return { applied: false, reason: 'not a packaged app: start at login is registered only by an installed Vigil' };
  try {
    if (deps.platform === 'linux' || deps.platform.endsWith('bsd')) {
      const entry = linuxAutostart(deps.configHome);
      if (enabled && !entry.isCurrent(deps.target)) entry.write(deps.target);
      if (!enabled) entry.remove();
      return { applied: true, enabled, where: entry.file };
    }
    if (deps.platform === 'win32') {
      deps.loginItems.setLoginItemSettings({ openAtLogin: enabled, path: deps.target.exec, args: deps.target.args });
      return { applied: true, enabled, where: 'Windows login items (HKCU Run)' };
    }
    if (deps.platform === 'darwin') {
      deps.loginItems.setLoginItemSettings({ openAtLogin: enabled });
      return { applied: true, enabled, where: 'macOS login items' };
    }
    return { applied: false, reason: `start at login is not supported on ${deps.platform}` };
  } catch (err) {
    return { applied: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Started by the login session: from our argument (Linux, Windows) or as macOS reports it. */
export function startedAtLogin(
  argv: readonly string[],
  platform: NodeJS.Platform,
  loginItems: { getLoginItemSettings(): { wasOpenedAtLogin?: boolean } },
): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  if (platform !== 'darwin') return false;
  try {
    return loginItems.getLoginItemSettings().wasOpenedAtLogin === true;
  } catch {
    return false;
  }
}
