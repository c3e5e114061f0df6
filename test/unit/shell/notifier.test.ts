/**
 * The desktop notifier (src/main/shell/notifier.ts) against a recorder `electron` and a recorder
 * `node-notifier`: Electron's Notification where supported, node-notifier where not or when Electron's
 * attempt fails; a newer notification with the same tag replaces the older; a click brings the window up
 * on that alert (reveal.ts sends `focusAlert` to the page).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { eventChannelOf } from '@shared/api';
import { createLogger } from '@node/log';
import type { NativeNotification } from '@core/notifier';

type Fn = (...a: unknown[]) => void;
const rec = vi.hoisted(() => ({
  supported: true,
  notes: [] as { options: Record<string, unknown>; handlers: Map<string, Fn>; shown: number; closed: number }[],
  nodeNotifier: [] as Record<string, unknown>[],
}));
vi.mock('electron', () => {
  class Notification {
    static isSupported() {
      return rec.supported;
    }
    private readonly r: (typeof rec.notes)[number];
    constructor(options: Record<string, unknown>) {
      this.r = { options, handlers: new Map(), shown: 0, closed: 0 };
      rec.notes.push(this.r);
    }
    on(ev: string, fn: Fn) {
      this.r.handlers.set(ev, fn);
      return this;
    }
    show() {
      this.r.shown++;
    }
    close() {
      this.r.closed++;
      this.r.handlers.get('close')?.();
    }
  }
  return { Notification };
});
vi.mock('node-notifier', () => ({
  default: {
    notify: (o: Record<string, unknown>, cb: (err: Error | null, r: string) => void) => (
      rec.nodeNotifier.push(o),
      cb(null, 'ok')
    ),
  },
}));

const { ElectronNotifier } = await import('@main/shell/notifier');
const { revealAlert } = await import('@main/shell/reveal');

const p0: NativeNotification = {
  tag: 'grp:1',
  title: 'P0 OrderPullStalled',
  body: 'orders stalled',
  urgency: 'critical',
  sticky: true,
  fingerprint: 'fp-1',
};
const log = createLogger({ write: () => {} });

beforeEach(() => {
  rec.supported = true;
  rec.notes.length = 0;
  rec.nodeNotifier.length = 0;
});

function fakeWindow(minimized = false) {
  const calls: string[] = [];
  const sent: [string, unknown][] = [];
  const w = {
    isDestroyed: () => false,
    isMinimized: () => minimized,
    restore: () => calls.push('restore'),
    show: () => calls.push('show'),
    focus: () => calls.push('focus'),
    webContents: { send: (ch: string, p: unknown) => sent.push([ch, p]) },
  };
  return { w, calls, sent };
}

describe('ElectronNotifier', () => {
  it('shows an Electron notification that stays for P0/P1 and is not silent', async () => {
    await new ElectronNotifier(log, () => {}).notify(p0);
    expect(rec.notes).toHaveLength(1);
    expect(rec.notes[0].options).toMatchObject({
      title: p0.title,
      body: p0.body,
      urgency: 'critical',
      timeoutType: 'never',
      silent: false,
    });
    expect(rec.notes[0].shown).toBe(1);
    expect(rec.nodeNotifier).toEqual([]);
  });

  it('falls back to node-notifier where Electron notifications are not supported', async () => {
    rec.supported = false;
    await new ElectronNotifier(log, () => {}).notify(p0);
    expect(rec.notes).toEqual([]);
    expect(rec.nodeNotifier).toHaveLength(1);
    expect(rec.nodeNotifier[0]).toMatchObject({ title: p0.title });
  });

  it("falls back to node-notifier when Electron's notification fails", async () => {
    await new ElectronNotifier(log, () => {}).notify(p0);
    rec.notes[0].handlers.get('failed')!(new Error('no notification server'));
    await vi.waitFor(() => expect(rec.nodeNotifier).toHaveLength(1));
    expect(rec.nodeNotifier[0]).toMatchObject({ title: p0.title });
  });

  it('replaces the previous notification with the same tag', async () => {
    const n = new ElectronNotifier(log, () => {});
    await n.notify(p0);
    await n.notify({ ...p0, body: 'still stalled' });
    await n.notify({ ...p0, tag: 'grp:2' });
    expect(rec.notes.map((x) => x.closed)).toEqual([1, 0, 0]);
  });

  it('a click brings the window up on that alert', async () => {
    const { w, calls, sent } = fakeWindow(true);
    await new ElectronNotifier(log, (fp) => revealAlert(w, fp)).notify(p0);
    rec.notes[0].handlers.get('click')!();
    expect(calls).toEqual(['restore', 'show', 'focus']);
    expect(sent).toEqual([[eventChannelOf('focusAlert'), { fingerprint: 'fp-1' }]]);
  });

  it('a click on a notification about no alert only brings the window up', async () => {
    const { w, calls, sent } = fakeWindow();
    await new ElectronNotifier(log, (fp) => revealAlert(w, fp)).notify({ ...p0, fingerprint: undefined });
    rec.notes[0].handlers.get('click')!();
    expect(calls).toEqual(['show', 'focus']);
    expect(sent).toEqual([]);
  });

  it('a click after the window is gone does nothing (and does not throw)', async () => {
    await new ElectronNotifier(log, (fp) => revealAlert(null, fp)).notify(p0);
    expect(() => rec.notes[0].handlers.get('click')!()).not.toThrow();
  });
});
