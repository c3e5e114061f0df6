// @vitest-environment jsdom
/**
 * The renderer's side of deep links (src/renderer/src/deep-links.ts): a link opened while the app runs
 * (`openLink`) and the one it was started with (`pendingLink`, asked once the page listens) open that
 * alert or incident. The API object stands in for the preload's `window.vigil`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilApi } from '@shared/api';
import type { DeepLink } from '@shared/deep-links';

const listeners = new Map<string, (payload: unknown) => void>();
let pending: DeepLink | null = null;
let asked = 0;
const fake = {
  on: (name: string, cb: (payload: unknown) => void) => {
    listeners.set(name, cb);
    return () => listeners.delete(name);
  },
  pendingLink: async () => (asked++, pending),
} as unknown as VigilApi;

beforeEach(() => {
  listeners.clear();
  asked = 0;
  window.vigil = fake;
});
afterEach(() => {
  delete window.vigil;
});

describe('deep links in the renderer', () => {
  it('opens the link the app was started with, after subscribing', async () => {
    pending = { kind: 'incident', id: 'INC-7' };
    const { connect } = await import('@renderer/api');
    const { bindDeepLinks } = await import('@renderer/deep-links');
    const { useApp } = await import('@renderer/stores/app');
    await connect(() => {});
    const off = bindDeepLinks();
    expect(listeners.has('openLink')).toBe(true);
    expect(asked).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(useApp.getState()).toMatchObject({ view: 'incidents', focus: { view: 'incidents', id: 'INC-7' } });
    off();
    expect(listeners.has('openLink')).toBe(false);
  });

  it('opens links that arrive while it runs', async () => {
    pending = null;
    const { connect } = await import('@renderer/api');
    const { bindDeepLinks } = await import('@renderer/deep-links');
    const { useApp } = await import('@renderer/stores/app');
    await connect(() => {});
    useApp.getState().go('settings');
    bindDeepLinks();
    await new Promise((r) => setTimeout(r, 0));
    expect(useApp.getState().view).toBe('settings');
    listeners.get('openLink')!({ kind: 'alert', id: '9f86d081884c7d65' });
    expect(useApp.getState()).toMatchObject({ view: 'alerts', focus: { view: 'alerts', id: '9f86d081884c7d65' } });
  });
});
