/**
 * The desktop app itself, through Playwright's Electron driver. It needs the Electron binary and a
 * better-sqlite3 built for Electron's ABI (scripts/native.mjs); where either cannot be had (a machine that
 * cannot download them, like our CI), the test is skipped and says so plainly in the report.
 */
import { settled } from './settle';
import { _electron as electron, expect, test } from '@playwright/test';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tempDir } from '../helpers/tmp';

const require = createRequire(__filename);
const root = path.resolve(__dirname, '../..');

/**
 * The binary as node_modules/electron/index.js finds it, without requiring that file: since Electron 45 it
 * starts a download when the binary is missing (scripts/native.mjs electronExecutable does the same).
 */
function electronBinary(): string | null {
  const dir = path.join(root, 'node_modules/electron');
  let rel: string | null = null;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() || null;
  } catch {
    rel = null;
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? path.join(override, rel || 'electron') : rel ? path.join(dir, 'dist', rel) : null;
  return bin && fs.existsSync(bin) ? bin : null;
}
function electronBinding(): string | null {
  try {
    const version = (require(path.join(root, 'node_modules/electron/package.json')) as { version: string }).version;
    const p = path.join(root, '.native', `electron-${version}`, 'better_sqlite3.node');
    return fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
const binding = electronBinding();
const why = !bin
  ? 'SKIPPED: the Electron binary is not installed here (run `npm run electron:fetch` where it can be downloaded)'
  : !binding
    ? 'SKIPPED: better-sqlite3 is not built for Electron here (run `npm run rebuild:electron` where Electron headers can be downloaded)'
    : '';
if (why) console.log(`[electron.spec] ${why}`);

test.describe('Electron shell', () => {
  test.skip(!!why, why);

  test('creates one secure window that exposes only the contract', async () => {
    const data = tempDir('vigil-electron-');
    const app = await electron.launch({
      executablePath: bin!,
      args: [root, '--no-sandbox'],
      env: { ...process.env, VIGIL_DATA_DIR: data.dir, VIGIL_NATIVE_BINDING: binding! },
    });
    try {
      const page = await app.firstWindow();
      await expect(page.locator('body[data-ready="true"]')).toBeAttached({ timeout: 20_000 });
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const wins = BrowserWindow.getAllWindows();
        // getLastWebPreferences is Electron-internal (not in the typings); where absent, the renderer checks below decide
        const wc = wins[0].webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
        const p = wc.getLastWebPreferences?.() ?? null;
        return { count: wins.length, prefs: p && { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration } };
      });
      expect(prefs.count).toBe(1);
      if (prefs.prefs) expect(prefs.prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      const surface = await page.evaluate(() => ({
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        vigil: Object.keys((window as unknown as { vigil: object }).vigil).includes('settingsGet'),
      }));
      expect(surface).toEqual({ require: 'undefined', process: 'undefined', vigil: true });
      await page.evaluate(() => window.open('https://example.com', '_blank'));
      await page.evaluate(() => (location.href = 'https://example.com'));
      await settled(page);
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
      // served from the privileged app:// scheme, never file:// (src/main/shell/app-protocol.ts)
      expect(page.url()).toMatch(/^app:\/\/vigil\//);
      expect(await page.evaluate(() => location.origin)).toBe('app://vigil');
    } finally {
      await app.close();
      data.cleanup();
    }
  });

  test('imports runbooks from a folder chosen in the OS folder chooser', async () => {
    const data = tempDir('vigil-electron-');
    const runbooks = tempDir('vigil-electron-runbooks-');
    fs.writeFileSync(path.join(runbooks.dir, 'disk-full.md'), '---\ntitle: Disk full on the shipment host\n---\n\n## Mitigation\n1. Rotate logs\n');
    const app = await electron.launch({
      executablePath: bin!,
      args: [root, '--no-sandbox'],
      env: { ...process.env, LANG: 'en_US.UTF-8', VIGIL_DATA_DIR: data.dir, VIGIL_NATIVE_BINDING: binding! },
    });
    try {
      const page = await app.firstWindow();
      await expect(page.locator('body[data-ready="true"]')).toBeAttached({ timeout: 20_000 });
      // the native dialog cannot be clicked by a test: its answer is stubbed in the main process
      await app.evaluate(({ dialog }, dir) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [dir] })) as typeof dialog.showOpenDialog;
      }, runbooks.dir);
      await page.getByRole('navigation', { name: /Main navigation|主导航/ }).getByRole('button', { name: /Runbooks|处置手册/ }).click();
      await page.getByText(/Import a local folder|导入本地文件夹/).click();
      await page.getByRole('button', { name: /Choose folder|选择文件夹/ }).click();
      await expect(page.getByRole('textbox', { name: /Folder path|文件夹路径/ })).toHaveValue(runbooks.dir);
      await page.getByRole('button', { name: /^(Import|导入)$/ }).click();
      await expect(page.getByRole('status').filter({ hasText: /Imported 1|新增 1/ })).toBeVisible();
    } finally {
      await app.close();
      data.cleanup();
      runbooks.cleanup();
    }
  });
});
