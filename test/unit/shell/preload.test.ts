/**
 * The sandboxed preload (src/preload/index.ts) run against a recorder `electron`: it exposes one object,
 * `vigil`, with exactly the contract's methods plus `on`; a call is one ipcRenderer.invoke on that method's
 * channel; an error envelope becomes a thrown ApiError; a subscription hands the renderer only the payload
 * (never the IPC event with its `sender`) and unsubscribes.
 */
import { describe, expect, it, vi } from 'vitest';
import { channelOf, eventChannelOf, methodNames, type VigilApi } from '@shared/api';
import { ApiError } from '@shared/rpc';

type Listener = (e: unknown, payload: unknown) => void;
const rec = vi.hoisted(() => ({
  exposed: [] as [string, unknown][],
  invoked: [] as [string, unknown[]][],
  reply: null as unknown,
  listeners: new Map<string, Set<Listener>>(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => rec.exposed.push([key, api]) },
  ipcRenderer: {
    invoke: (ch: string, ...args: unknown[]) => (rec.invoked.push([ch, args]), Promise.resolve(rec.reply)),
    on: (ch: string, fn: Listener) => (rec.listeners.get(ch) ?? rec.listeners.set(ch, new Set()).get(ch)!).add(fn),
    removeListener: (ch: string, fn: Listener) => rec.listeners.get(ch)?.delete(fn),
    send: () => {
      throw new Error('the preload must not use ipcRenderer.send');
    },
    sendSync: () => {
      throw new Error('the preload must not use ipcRenderer.sendSync');
    },
  },
}));

await import('@main/../preload/index');
const api = rec.exposed[0]?.[1] as VigilApi;

describe('the preload', () => {
  it('exposes one frozen object with the contract methods and `on`, nothing else', () => {
    expect(rec.exposed.map(([k]) => k)).toEqual(['vigil']);
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    for (const k of Object.keys(api)) expect(typeof (api as unknown as Record<string, unknown>)[k]).toBe('function');
  });

  it("calls a method over that method's own channel and returns the value", async () => {
    rec.reply = { ok: true, value: { language: 'en' } };
    await expect(api.settingsGet()).resolves.toEqual({ language: 'en' });
    await api.notifyMute(15);
    expect(rec.invoked).toEqual([
      [channelOf('settingsGet'), []],
      [channelOf('notifyMute'), [15]],
    ]);
  });

  it('turns an error envelope into an ApiError, and a malformed reply into a transport error', async () => {
    rec.reply = { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    const err = await api.settingsGet().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'forbidden', message: 'untrusted sender' });
    rec.reply = undefined;
    await expect(api.settingsGet()).rejects.toMatchObject({ code: 'transport' });
  });

  it('hands a subscriber only the payload and unsubscribes', () => {
    const got: unknown[] = [];
    const off = api.on('openLink', (p) => got.push(p));
    const ch = eventChannelOf('openLink');
    expect(rec.listeners.get(ch)?.size).toBe(1);
    const [listener] = rec.listeners.get(ch)!;
    listener({ sender: { secret: 'ipc internals' }, ports: [] }, { kind: 'alert', id: 'abc' });
    expect(got).toEqual([{ kind: 'alert', id: 'abc' }]);
    off();
    expect(rec.listeners.get(ch)?.size).toBe(0);
  });

  it('refuses to subscribe to an event the contract does not declare', () => {
    expect(() => api.on('ipc-internal' as never, () => {})).toThrow(ApiError);
  });
});
