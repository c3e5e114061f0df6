/** The node-notifier adapter: what it asks notify-send for, and one clear log line when no daemon answers. */
import { describe, expect, it } from 'vitest';
import { escapeBodyMarkup, NodeNotifier, toNotifySendOptions, type NotifierBackend } from '@main/host/notifier';

const note = { tag: 't', title: '[P1] OrderPullFailures · ozon', body: 'a < b & c', urgency: 'critical' as const, sticky: true, fingerprint: 'fp' };

describe('NodeNotifier', () => {
  it('maps urgency and stickiness onto notify-send options and escapes body markup', () => {
    expect(toNotifySendOptions(note)).toEqual({
      title: '[P1] OrderPullFailures · ozon',
      message: 'a &lt; b &amp; c',
      urgency: 'critical',
      'expire-time': 0,
      'app-name': 'Vigil',
      category: 'vigil.alert',
    });
    expect(toNotifySendOptions({ ...note, urgency: 'normal', sticky: false })['expire-time']).toBe(15);
    expect(toNotifySendOptions({ ...note, urgency: 'low', sticky: false, body: '' }).message).toBe(' ');
    expect(escapeBodyMarkup('<b>x</b>')).toBe('&lt;b&gt;x&lt;/b&gt;');
  });

  it('without a notification daemon: rejects with the reason, logs it once, and says when it works again', async () => {
    const lines: string[] = [];
    let fail = true;
    const backend: NotifierBackend = {
      notify: (_o, cb) =>
        cb(fail ? new Error('Command failed: notify-send\nGDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided by any .service files') : null, ''),
    };
    const n = new NodeNotifier({ log: (_l, action, f) => lines.push(`${action} ${JSON.stringify(f)}`), addSecret() {} }, backend, 'linux');
    await expect(n.notify(note)).rejects.toMatchObject({ failure: { code: 'no_daemon' } });
    await expect(n.notify(note)).rejects.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^notify\.unavailable .*Alerts still appear in the Vigil window/);
    fail = false;
    await n.notify(note);
    expect(lines[1]).toMatch(/^notify\.available/);
  });
});
