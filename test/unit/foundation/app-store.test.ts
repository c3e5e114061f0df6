// @vitest-environment jsdom
/**
 * The renderer's frame store and the core's pushed events. The API object stands in for the preload's
 * `window.vigil` (an Electron runtime does not exist here): it records calls and lets the test push events.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VigilApi } from '@shared/api';
import type { Freshness } from '@shared/domain';

const listeners = new Map<string, (payload: unknown) => void>();
let freshnessCalls = 0;
const fake = {
  on: (name: string, cb: (payload: unknown) => void) => {
    listeners.set(name, cb);
    return () => listeners.delete(name);
  },
  freshness: async (): Promise<Freshness> => ({ alerts: ++freshnessCalls, runbooks: null, dashboards: null, rosters: null }),
} as unknown as VigilApi;

beforeEach(() => {
  vi.useFakeTimers();
  freshnessCalls = 0;
  listeners.clear();
  window.vigil = fake;
});
afterEach(() => {
  vi.useRealTimers();
  delete window.vigil;
});

describe('app store events', () => {
  it('refetches freshness at most once a second during a storm of dataChanged, and always after the last one', async () => {
    const { connect } = await import('@renderer/api');
    const { bindAppEvents, useApp } = await import('@renderer/stores/app');
    await connect(() => {});
    const unbind = bindAppEvents();
    const changed = listeners.get('dataChanged')!;
    // 3 s of a storm: 30 events a second
    for (let i = 0; i < 90; i++) {
      changed({ collection: 'alerts' });
      await vi.advanceTimersByTimeAsync(33);
    }
    expect(freshnessCalls).toBeGreaterThanOrEqual(3);
    expect(freshnessCalls).toBeLessThanOrEqual(4);
    const before = freshnessCalls;
    await vi.advanceTimersByTimeAsync(2_000);
    // the trailing refetch saw the last change; then nothing until the next one
    expect(freshnessCalls).toBeLessThanOrEqual(before + 1);
    expect(useApp.getState().freshness?.alerts).toBe(freshnessCalls);
    await vi.advanceTimersByTimeAsync(5_000);
    const settled = freshnessCalls;
    changed({ collection: 'runbooks' });
    await vi.advanceTimersByTimeAsync(0);
    expect(freshnessCalls).toBe(settled + 1); // a lone change after a quiet spell is fetched at once
    unbind();
  });
});
