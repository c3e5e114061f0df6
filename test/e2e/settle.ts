import type { Page } from '@playwright/test';

/**
 * A positive signal before asserting that something did NOT happen: resolves once the page's event loop
 * has run two rounds of tasks and animation frames after everything the test did so far. A click's
 * handler, a `javascript:` navigation, `window.open` or a dialog queued by the test's actions has run (and
 * Playwright has received its event, which the browser sends before this evaluation's answer) by then —
 * on a slow machine too, where a fixed wait may end before the page has done anything.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const round = (n: number) => requestAnimationFrame(() => setTimeout(() => (n > 1 ? resolve() : round(n + 1)), 0));
        round(1);
      }),
  );
}
