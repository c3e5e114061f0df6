/**
 * A private desktop notification stack for tests: an X display (Xvfb, unless $DISPLAY is set), a D-Bus
 * session bus (unless $DBUS_SESSION_BUS_ADDRESS is set, e.g. under `xvfb-run -a dbus-launch`), dunst as the
 * notification daemon, and dbus-monitor recording every org.freedesktop.Notifications.Notify call.
 * Everything started here is stopped by `stop()`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '@test/helpers/until';
import { signalGroup, spawnInGroup } from '@test/services/common';

export const NEEDED = ['dbus-daemon', 'dbus-monitor', 'dbus-send', 'dunst', 'notify-send'] as const;

/** the binaries missing on this machine (the test is skipped, with their names, when any is) */
export function missingBinaries(): string[] {
  const need: string[] = [...NEEDED];
  if (!process.env.DISPLAY) need.push('Xvfb');
  return need.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
}

export interface NotifyCall {
  at: number;
  appName: string;
  summary: string;
  body: string;
  urgency: number | null;
  timeout: number;
}

/** Parses dbus-monitor's text output into Notify calls. */
export function parseNotifyCalls(text: string, at: number[] = []): NotifyCall[] {
  const blocks = text.split(/^method call /m).slice(1).filter((b) => /member=Notify\b/.test(b.split('\n')[0]));
  return blocks.map((b, i) => {
    const strings = [...b.matchAll(/^\s*string "([\s\S]*?)"$/gm)].map((m) => m[1]);
    const urgency = /string "urgency"\s*\n\s*variant\s+byte (\d+)/.exec(b);
    const ints = [...b.matchAll(/^\s*int32 (-?\d+)\s*$/gm)];
    return {
      at: at[i] ?? 0,
      appName: strings[0] ?? '',
      summary: strings[2] ?? '',
      body: strings[3] ?? '',
      urgency: urgency ? Number(urgency[1]) : null,
      timeout: ints.length ? Number(ints[ints.length - 1][1]) : NaN,
    };
  });
}

export interface NotifySession {
  env: { DISPLAY: string; DBUS_SESSION_BUS_ADDRESS: string };
  /** Notify calls seen so far, each stamped with the time its first line arrived */
  calls(): NotifyCall[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startNotifySession(): Promise<NotifySession> {
  const children: ChildProcess[] = [];
  let daemonPid: number | null = null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-notify-'));
  const stop = async () => {
    for (const c of children.reverse()) signalGroup(c, 'SIGTERM');
    if (daemonPid) {
      try {
        process.kill(daemonPid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await sleep(100);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    let display = process.env.DISPLAY ?? '';
    if (!display) {
      const n = 90 + Math.floor(Math.random() * 400);
      const x = spawnInGroup('Xvfb', [`:${n}`, '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
      children.push(x);
      display = `:${n}`;
      await until(() => fs.existsSync(`/tmp/.X11-unix/X${n}`), 'Xvfb', 10_000, 50);
    }
    let bus = process.env.DBUS_SESSION_BUS_ADDRESS ?? '';
    if (!bus) {
      const r = spawnSync('dbus-daemon', ['--session', '--print-address=1', '--print-pid=1', '--fork'], { encoding: 'utf8', timeout: 10_000 });
      const [address, pid] = r.stdout.trim().split('\n');
      if (r.status !== 0 || !address) throw new Error(`dbus-daemon did not start: ${r.stderr}`);
      bus = address.trim();
      daemonPid = Number(pid);
    }
    const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: bus };
    const conf = path.join(tmp, 'dunstrc');
    fs.writeFileSync(conf, '[global]\n    font = Monospace 8\n');
    const dunst = spawnInGroup('dunst', ['-conf', conf], { env, stdio: 'ignore' });
    children.push(dunst);
    const owned = () =>
      spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.Notifications'], {
        env,
        encoding: 'utf8',
      }).stdout.includes('boolean true');
    await until(owned, 'dunst to own org.freedesktop.Notifications', 10_000, 50);

    let out = '';
    const stamps: number[] = [];
    const monitor = spawnInGroup('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(monitor);
    monitor.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      const now = Date.now();
      for (const _ of text.matchAll(/^method call .*member=Notify\b/gm)) stamps.push(now);
      out += text;
    });
    // dbus-monitor prints a NameAcquired signal once it is listening
    await until(() => out.includes('NameAcquired') || out.includes('signal'), 'dbus-monitor', 10_000, 50);
    return { env: { DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: bus }, calls: () => parseNotifyCalls(out, stamps), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
