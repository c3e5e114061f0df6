/**
 * The renderer in jsdom, as the component tests run it: React's act environment, a ResizeObserver stand-in,
 * `api` as the core behind window.vigil (connected), i18n in English, and one root in a host element.
 * Registers its beforeAll/afterAll in the calling test file; `ready` hands over the root and its host.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, beforeAll } from 'vitest';
import type { VigilApi } from '@shared/api';
import { connect } from '@renderer/api';
import { initI18n } from '@renderer/i18n';

export function mountRenderer(api: VigilApi, ready: (root: Root, host: HTMLDivElement) => void): void {
  let root: Root | null = null;
  beforeAll(async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
    window.vigil = api;
    await connect(() => undefined);
    initI18n('en');
    const host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    ready(root, host);
  });
  afterAll(async () => {
    await act(async () => root?.unmount());
    delete window.vigil;
  });
}
