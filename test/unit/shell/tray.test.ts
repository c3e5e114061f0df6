/**
 * The tray (src/main/shell/tray.ts) against a recorder `electron` and a real core on a temp dir: the mute
 * items mute and unmute notifications in the core (and the menu follows the core's notifyState event), the
 * menu speaks the chosen language, the open item and a click on the icon bring the window up, and the
 * update lines show the update's state with "Restart to update" only when the "not now" rule allows it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '@core';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';
import type { UpdateState } from '@main/shell/updater';
import type { InstallVerdict } from '@main/shell/update-policy';

interface Item {
  label?: string;
  enabled?: boolean;
  type?: string;
  click?: () => void;
}
const rec = vi.hoisted(() => ({ menu: [] as Item[], tooltip: '', clicks: new Map<string, () => void>() }));
vi.mock('electron', () => {
  const img = { addRepresentation: () => {} };
  class Tray {
    setImage() {}
    setToolTip(t: string) {
      rec.tooltip = t;
    }
    setContextMenu(m: Item[]) {
      rec.menu = m;
    }
    on(ev: string, fn: () => void) {
      rec.clicks.set(ev, fn);
    }
  }
  return {
    Tray,
    Menu: { buildFromTemplate: (items: Item[]) => items },
    nativeImage: { createFromBitmap: () => img },
    app: { once: () => {} },
  };
});

const { createTray, updateMenuItems } = await import('@main/shell/tray');
const { shellText } = await import('@main/shell/text');

const t = tempDir('vigil-tray-');
const clock = new FakeClock();
let core: Core;
let lang: 'en' | 'zh-CN' = 'en';
const shown: string[] = [];
const win = {
  isDestroyed: () => false,
  isMinimized: () => false,
  restore: () => shown.push('restore'),
  show: () => shown.push('show'),
  focus: () => shown.push('focus'),
};
const item = (label: string | RegExp) =>
  rec.menu.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label ?? '')));
const labels = () => rec.menu.filter((i) => i.type !== 'separator').map((i) => i.label);
let tray: ReturnType<typeof createTray>;
let quit = 0;

beforeAll(async () => {
  core = createCore({ dataDir: t.dir, transport: 'electron', clock, log: createLogger({ write: () => {} }) });
  tray = createTray({ core, getWindow: () => win as never, quit: () => quit++, language: () => lang });
  await vi.waitFor(() => expect(item('Mute notifications for 15 min')).toBeDefined());
});
afterAll(async () => {
  await core.close();
  t.cleanup();
});
beforeEach(() => {
  lang = 'en';
  shown.length = 0;
});

describe('the tray', () => {
  it('shows the unacked count and offers open, mute and quit', () => {
    expect(rec.tooltip).toBe('Vigil — 0 unacked alerts');
    expect(labels()).toEqual([
      '0 unacked alerts',
      'Open Vigil',
      'Mute notifications for 15 min',
      'Mute notifications for 1 h',
      'Quit',
    ]);
  });

  it('mutes notifications in the core for 15 minutes, then unmutes', async () => {
    item('Mute notifications for 15 min')!.click!();
    await vi.waitFor(() => expect(item('Unmute notifications')).toBeDefined());
    const state = await core.dispatch('notifyState', []);
    expect(state).toMatchObject({ ok: true, value: { mutedUntil: clock.now() + 15 * 60_000 } });
    expect(item(/^Muted until .* \(P0 still notifies\)$/)?.enabled).toBe(false);
    expect(item('Mute notifications for 15 min')).toBeUndefined();
    item('Unmute notifications')!.click!();
    await vi.waitFor(() => expect(item('Mute notifications for 15 min')).toBeDefined());
    expect(await core.dispatch('notifyState', [])).toMatchObject({ ok: true, value: { mutedUntil: null } });
  });

  it('mutes for an hour, and the mute ends by itself on the clock', async () => {
    item('Mute notifications for 1 h')!.click!();
    await vi.waitFor(() => expect(item('Unmute notifications')).toBeDefined());
    expect(await core.dispatch('notifyState', [])).toMatchObject({
      ok: true,
      value: { mutedUntil: clock.now() + 60 * 60_000 },
    });
    clock.advance(60 * 60_000);
    await vi.waitFor(() => expect(item('Mute notifications for 1 h')).toBeDefined());
  });

  it('speaks the chosen language', async () => {
    lang = 'zh-CN';
    await core.dispatch('settingsSet', [{ language: 'zh-CN' }]);
    await vi.waitFor(() =>
      expect(labels()).toEqual(['0 条未确认告警', '打开 Vigil', '通知静音 15 分钟', '通知静音 1 小时', '退出']),
    );
    for (const l of labels()) expect(l, 'no English words in zh-CN').not.toMatch(/\b(unacked|Open|Mute|Quit)\b/);
  });

  it('brings the window up from the menu and from the icon, and quits from the menu', () => {
    tray.render();
    item('Open Vigil')!.click!();
    rec.clicks.get('click')!();
    expect(shown).toEqual(['show', 'focus', 'show', 'focus']);
    item('Quit')!.click!();
    expect(quit).toBe(1);
  });

  it('renders on demand', () => {
    rec.menu = [];
    tray.render();
    expect(labels().length).toBeGreaterThan(0);
  });
});

describe('the update lines', () => {
  const t = shellText.in('en');
  const u = (state: UpdateState, verdict: InstallVerdict | null) => {
    const calls: string[] = [];
    const items = updateMenuItems(t, {
      state: () => state,
      verdict: () => verdict,
      check: () => calls.push('check'),
      install: () => calls.push('install'),
    }) as Item[];
    return { items, calls };
  };

  it('offers "Restart to update" only when the rule allows it', () => {
    const ok = u({ phase: 'ready', version: '0.2.0', checkedAt: 1 }, { ok: true });
    expect(ok.items).toEqual([expect.objectContaining({ label: 'Restart to update to 0.2.0', enabled: true })]);
    ok.items[0].click!();
    expect(ok.calls).toEqual(['install']);
    const blocked = u(
      { phase: 'ready', version: '0.2.0', checkedAt: 1 },
      { ok: false, reason: 'unacked_p0_p1', alerts: 2 },
    );
    expect(blocked.items).toEqual([{ label: 'Update 0.2.0 waits: 2 P0/P1 alerts are unacked', enabled: false }]);
    expect(
      u({ phase: 'ready', version: '0.2.0', checkedAt: 1 }, { ok: false, reason: 'incident_open', incidents: 1 })
        .items[0].label,
    ).toBe('Update 0.2.0 waits: an incident is open');
    // until the rule has been computed, the item is there but cannot be clicked
    expect(u({ phase: 'ready', version: '0.2.0', checkedAt: 1 }, null).items[0]).toMatchObject({ enabled: false });
  });

  it('shows what the updater is doing, and offers a check otherwise', () => {
    expect(u({ phase: 'checking', checkedAt: null }, null).items).toEqual([
      { label: 'Checking for updates…', enabled: false },
    ]);
    expect(u({ phase: 'downloading', version: '0.2.0', checkedAt: 1 }, null).items).toEqual([
      { label: 'Downloading update 0.2.0…', enabled: false },
    ]);
    const idle = u({ phase: 'idle', checkedAt: 1 }, null);
    idle.items[0].click!();
    expect(idle.calls).toEqual(['check']);
    expect(u({ phase: 'failed', error: 'x', version: null, checkedAt: 1 }, null).items.map((i) => i.label)).toEqual([
      t.updateFailed(),
      t.checkUpdates(),
    ]);
  });
});
