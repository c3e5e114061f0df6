/**
 * Typed Playwright fixtures: a real browser host (the built out/main/host.js, as users run it) on a
 * throwaway data dir, and a page opened on its secret URL that waits for the app's readiness signal
 * (`body[data-ready=true]`, set once the contract is connected and settings are loaded).
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import path from 'node:path';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';

export const OUT_DIR = path.resolve(process.env.VIGIL_OUT_DIR ?? 'out');

export interface HostHandle {
  url: string;
  origin: string;
  dataDir: string;
  proc: Started;
  /** restarts the host on the same data dir (and port) */
  restart(): Promise<void>;
}

export async function launchHost(opts: { dataDir: string; args?: string[]; env?: NodeJS.ProcessEnv; port?: number }): Promise<HostHandle> {
  const start = (port: number) =>
    startProcess(process.execPath, [path.join(OUT_DIR, 'main/host.js'), '--no-open', '--data-dir', opts.dataDir, '--port', String(port), ...(opts.args ?? [])], {
      // a build outside the repo ($VIGIL_OUT_DIR in /tmp) still resolves its dependencies from ours
      env: { ...process.env, ...opts.env },
      ready: /Vigil console: (\S+)/,
      timeoutMs: 30_000,
    });
  let proc = await start(opts.port ?? 0);
  const handle: HostHandle = {
    url: proc.match[1],
    origin: new URL(proc.match[1]).origin,
    dataDir: opts.dataDir,
    proc,
    async restart() {
      const port = Number(new URL(handle.url).port);
      await proc.stop();
      proc = await start(port);
      handle.proc = proc;
      handle.url = proc.match[1];
    },
  };
  return handle;
}

export async function openApp(page: Page, url: string): Promise<void> {
  // A fresh document every time: going to the same URL with only a new #secret would not reload the page.
  // On a loaded machine the first load can be refused while the host settles; try it a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto('about:blank');
      await page.goto(url);
      await expect(page.locator('body[data-ready="true"]')).toBeAttached({ timeout: 20_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.waitForTimeout(500 * attempt);
    }
  }
}

/** A toast by its text, inside the toasts region (screen readers also get a short-lived announcement copy). */
export const toast = (page: Page, text: string | RegExp): Locator => page.getByRole('region', { name: /^(Notifications|通知)/ }).getByText(text);

/** Picks an option of a select (Radix Select: a combobox button that opens a listbox). */
export async function choose(select: Locator, option: string): Promise<void> {
  await select.click();
  await select.page().getByRole('option', { name: option, exact: true }).click();
}

type Fixtures = { dataDir: string; host: HostHandle; app: Page };

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const t = tempDir('vigil-e2e-');
    await use(t.dir);
    t.cleanup();
  },
  host: async ({ dataDir }, use) => {
    const h = await launchHost({ dataDir });
    await use(h);
    await h.proc.stop();
  },
  app: async ({ page, host }, use) => {
    await openApp(page, host.url);
    await use(page);
  },
});

export { expect };
