/**
 * Notification truth where no desktop session exists (a headless jump host, a CI box, an SSH session):
 * the real core with the browser host's real notifier (node-notifier → notify-send), no D-Bus session bus
 * and no X display. "Test notification" must answer "not shown" with the reason, and the shift
 * self-check's notification step must fail with that reason — never "delivered", never "done".
 * Skipped (with the reason) only where notify-send itself is missing.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '@core';
import { createLogger } from '@node/log';
import { MemorySecretStore } from '@core/secrets';
import { NodeNotifier } from '@main/host/notifier';
import type { RunView } from '@shared/checklists';
import { tempDir } from '@test/helpers/tmp';

const hasNotifySend = spawnSync('sh', ['-c', 'command -v notify-send']).status === 0;
if (!hasNotifySend) console.warn('Skipping the no-session notification test: notify-send is not installed');

describe.skipIf(!hasNotifySend)('notifications with no D-Bus session', () => {
  const saved: Record<string, string | undefined> = {};
  const lines: string[] = [];
  let core: Core;
  let dir: { dir: string; cleanup(): void };

  beforeAll(() => {
    // notify-send inherits the environment of the process that runs the core: take the session away
    for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    dir = tempDir('vigil-no-session-');
    const log = createLogger({ write: (l) => lines.push(l) });
    core = createCore({
      dataDir: dir.dir,
      transport: 'browser',
      secrets: new MemorySecretStore(),
      log,
      notifier: new NodeNotifier(log),
      // no platform and no embedded gateway: the console acts locally, nothing but the notifier matters here
      platform: { url: null, token: null },
    });
  });
  afterAll(async () => {
    await core?.close();
    dir?.cleanup();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  it('"Test notification" answers not delivered, with the reason', async () => {
    const r = await core.dispatch('notifyTest', []);
    expect(r).toEqual({ ok: true, value: { delivered: false, error: expect.stringMatching(/not shown: .*(D-Bus|desktop session)/), reason: { code: 'no_session' } } });
    expect(lines.some((l) => l.includes('notify.unavailable'))).toBe(true);
  });

  it('the self-check’s notification step fails with the reason instead of passing', async () => {
    const r = await core.dispatch('checklistStart', [{ templateId: 'shift-self-check' }]);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    const view = (r as { value: RunView }).value;
    const step = view.run.steps.find((s) => s.stepId === 'notification-test');
    expect(step).toMatchObject({
      state: 'failed',
      // the code, worded where it is read (in the reader's language): issue #18
      auto: { outcome: 'fail', reason: 'notification_failed', value: 'no_session' },
    });
  });

  it('a zh-CN page hears the reason in Chinese (the core follows the page’s language for auto)', async () => {
    expect(await core.dispatch('pageLanguage', ['zh-CN'])).toEqual({ ok: true, value: { language: 'zh-CN' } });
    const r = await core.dispatch('notifyTest', []);
    expect(r).toEqual({ ok: true, value: { delivered: false, error: expect.stringMatching(/^未能弹出系统通知：.*桌面会话/), reason: { code: 'no_session' } } });
    await core.dispatch('pageLanguage', ['en']);
  });
});
