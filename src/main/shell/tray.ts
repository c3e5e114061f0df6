/**
 * Tray icon: a dot coloured by the worst unacked severity, a tooltip and menu with the counts, open,
 * mute for 15 min / 1 h (P0 still breaks through), and, with an update feed, the update's state and the
 * "Restart to update" item (only when the "not now" rule allows it). Icons are drawn in code, so nothing has to be
 * shipped or found on disk.
 */
import { Menu, Tray, app, nativeImage, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { AlertCounts, NotifyState } from '@shared/contract/alerts';
import { SEVERITIES, type Severity } from '@shared/domain';
import type { Core } from '@core';
import { shellText, whyNotNow, type ShellLanguage, type ShellText } from './text';
import type { UpdateState } from './updater';
import type { InstallVerdict } from './update-policy';

const COLORS: Record<Severity | 'ok', [number, number, number]> = {
  P0: [0xd0, 0x1c, 0x1c],
  P1: [0xf0, 0x6a, 0x0f],
  P2: [0xe8, 0xb4, 0x00],
  P3: [0x3b, 0x82, 0xf6],
  ok: [0x2e, 0xa0, 0x43],
};

/** A filled, anti-aliased circle as a BGRA bitmap. */
function dot(size: number, [r, g, b]: [number, number, number]): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const radius = size / 2 - 0.5;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const alpha = Math.max(0, Math.min(1, radius - d + 0.5));
      const i = (y * size + x) * 4;
      buf[i] = b;
      buf[i + 1] = g;
      buf[i + 2] = r;
      buf[i + 3] = Math.round(alpha * 255);
    }
  return buf;
}

function icon(kind: Severity | 'ok'): NativeImage {
  const img = nativeImage.createFromBitmap(dot(16, COLORS[kind]), { width: 16, height: 16, scaleFactor: 1 });
  img.addRepresentation({ scaleFactor: 2, width: 32, height: 32, buffer: dot(32, COLORS[kind]) });
  return img;
}

export interface TrayUpdates {
  state(): UpdateState;
  /** the "not now" rule as last computed (null: not computed yet) */
  verdict(): InstallVerdict | null;
  check(): void;
  install(): void;
}

/** The update lines of the tray menu: what the updater is doing, and the install item only when it may run. */
export function updateMenuItems(t: ShellText, u: TrayUpdates): MenuItemConstructorOptions[] {
  const s = u.state();
  switch (s.phase) {
    case 'checking':
      return [{ label: t.checkingUpdates(), enabled: false }];
    case 'downloading':
    case 'verifying':
      return [{ label: t.downloadingUpdate({ version: s.version }), enabled: false }];
    case 'ready': {
      const v = u.verdict();
      if (v && !v.ok) return [{ label: t.updateWaits({ version: s.version, why: whyNotNow(t, v) }), enabled: false }];
      return [{ label: t.installUpdate({ version: s.version }), enabled: !!v, click: () => u.install() }];
    }
    case 'failed':
      return [{ label: t.updateFailed(), enabled: false }, { label: t.checkUpdates(), click: () => u.check() }];
    default:
      return [{ label: t.checkUpdates(), click: () => u.check() }];
  }
}

export interface TrayHandle {
  tray: Tray;
  /** draws the menu again (the update state or the "not now" verdict changed) */
  render(): void;
}

export function createTray(opts: {
  core: Core;
  getWindow: () => BrowserWindow | null;
  quit: () => void;
  language: () => ShellLanguage;
  /** present when an update feed is configured */
  updates?: TrayUpdates;
}): TrayHandle {
  const { core } = opts;
  const icons = new Map<Severity | 'ok', NativeImage>();
  const iconFor = (k: Severity | 'ok') => icons.get(k) ?? (icons.set(k, icon(k)), icons.get(k)!);
  const tray = new Tray(iconFor('ok'));
  let counts: AlertCounts | null = null;
  let notify: NotifyState | null = null;

  const show = () => {
    const w = opts.getWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  };
  const mute = (minutes: number) => void core.dispatch('notifyMute', [minutes]);

  function render(): void {
    const t = shellText.in(opts.language());
    const unacked = counts?.unacked ?? 0;
    tray.setImage(iconFor(counts?.worstUnacked ?? 'ok'));
    tray.setToolTip(`Vigil — ${t.unacked(unacked)}`);
    const lines = SEVERITIES.filter((s) => counts && counts.bySeverity[s].total > 0).map((s) => ({
      label: t.line({ severity: s, total: counts!.bySeverity[s].total, unacked: counts!.bySeverity[s].unacked }),
      enabled: false,
    }));
    const muted = notify?.mutedUntil ? new Date(notify.mutedUntil).toLocaleTimeString(opts.language(), { hour: '2-digit', minute: '2-digit' }) : null;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: t.unacked(unacked), enabled: false },
        ...lines,
        { type: 'separator' },
        { label: t.open(), click: show },
        { type: 'separator' },
        ...(muted
          ? [{ label: t.mutedUntil({ time: muted }), enabled: false }, { label: t.unmute(), click: () => mute(0) }]
          : [
              { label: t.mute15(), click: () => mute(15) },
              { label: t.mute60(), click: () => mute(60) },
            ]),
        ...(opts.updates ? [{ type: 'separator' as const }, ...updateMenuItems(t, opts.updates)] : []),
        { type: 'separator' },
        { label: t.quit(), click: opts.quit },
      ]),
    );
  }

  const off = core.on((name, payload) => {
    if (name === 'alertCounts') counts = payload as AlertCounts;
    else if (name === 'notifyState') notify = payload as NotifyState;
    else if (name !== 'settingsChanged') return;
    render();
  });
  void Promise.all([core.dispatch('alertCounts', []), core.dispatch('notifyState', [])]).then(([c, n]) => {
    if (c.ok) counts = c.value as AlertCounts;
    if (n.ok) notify = n.value as NotifyState;
    render();
  });
  render();
  tray.on('click', show);
  // the tray lives as long as the app; the core listener goes with it
  app.once('will-quit', off);
  return { tray, render };
}
