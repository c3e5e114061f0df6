/**
 * Issue #13, end to end: alerts whose annotations hold malformed mailto:/tel: URLs, a 1 MB label and a 1 MB
 * summary, and a name with a zero-width space, POSTed to a real Alertmanager and read by a real gateway
 * into the built browser host. Both alerts open, the huge one's values are cut with "show all" (which loads
 * the whole megabyte), the spoofed name is marked with a warning, nothing shows "could not be shown", and
 * the console keeps working afterwards (another view and back, the filter, the other alert).
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { freePort } from '../services/common';
import { startAlertmanager, type AlertmanagerHarness } from '../services/alertmanager';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { expect, launchHost, OUT_DIR, openApp, test, type HostHandle } from './fixtures';

const TOKEN = 'e2e-hostile-values-token-0123456789';
const MB = 1024 * 1024;
const BIG_LABEL = `L${'l'.repeat(MB)}`;
const BIG_SUMMARY = `Huge summary ${'s'.repeat(MB)}`;

const grid = (page: Page) => page.getByRole('grid', { name: 'Alerts' });
const detail = (page: Page) => page.getByRole('complementary', { name: 'Alert details' });

test.describe('hostile values from the platform', () => {
  let tmp: ReturnType<typeof tempDir>;
  let am: AlertmanagerHarness | null = null;
  let gateway: Started | null = null;
  let host: HostHandle | null = null;

  test.beforeEach(async () => {
    tmp = tempDir('vigil-e2e-hostile-values-');
    am = await startAlertmanager({});
    const port = await freePort();
    const gw = await startProcess(
      process.execPath,
      [path.join(OUT_DIR, 'main/gateway.js'), '--source', 'alertmanager', '--alertmanager-url', am.url, '--port', String(port), '--data-dir', path.join(tmp.dir, 'gw'), '--poll-interval', '500'],
      { env: { ...process.env, VIGIL_GATEWAY_TOKEN: TOKEN }, ready: /Vigil gateway listening on (ws:\/\/\S+)/, timeoutMs: 30_000 },
    );
    gateway = gw;
    host = await launchHost({ dataDir: path.join(tmp.dir, 'host'), args: ['--platform', gw.match[1], '--token', TOKEN] });
  });
  test.afterEach(async () => {
    await host?.proc.stop();
    await gateway?.stop();
    await am?.stop();
    tmp.cleanup();
  });

  test('malformed mailto:/tel: annotations, a 1 MB label and summary, a zero-width name: all open, the console keeps working', async ({ page }) => {
    test.setTimeout(180_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await am!.postAlerts([
      {
        labels: { alertname: 'E2eBadLinks', service: 'ozon-orders', severity: 'critical' },
        annotations: { summary: 'Contact links are broken', contact: 'mailto:%E0%A4%A', phone: 'tel:+86%ZZ', runbook_url: 'mailto:oncall@%' },
      },
      { labels: { alertname: 'E2eHugeValues', service: 'wb-stock', severity: 'warning', blob: BIG_LABEL }, annotations: { summary: BIG_SUMMARY } },
      { labels: { alertname: 'Disk\u200bFull', service: 'pdd-sync', severity: 'warning' }, annotations: { summary: 'Looks like DiskFull' } },
    ]);
    await openApp(page, host!.url);

    // the malformed links: the detail opens, the values are text, no crash
    const bad = grid(page).getByRole('row').filter({ hasText: 'Contact links are broken' });
    await expect(bad).toBeVisible({ timeout: 30_000 });
    await bad.click();
    await expect(detail(page)).toContainText('mailto:%E0%A4%A');
    await expect(detail(page)).toContainText('tel:+86%ZZ');
    await expect(detail(page).getByRole('button', { name: /^Open mailto:%E0/ })).toHaveCount(0);

    // the huge values: cut in the row and the pane, "show all" loads the whole value into a read-only box
    const huge = grid(page).getByRole('row').filter({ hasText: 'Huge summary sss' });
    await expect(huge).toBeVisible({ timeout: 30_000 });
    await huge.click();
    await expect(detail(page).getByRole('heading', { level: 2 })).toContainText('E2eHugeValues');
    await expect(detail(page)).toContainText(`(first 4096 of ${BIG_SUMMARY.length} characters)`);
    await detail(page).getByRole('button', { name: 'Show all of summary' }).click();
    const box = detail(page).getByRole('textbox', { name: 'Whole value of summary' });
    await expect.poll(async () => (await box.inputValue()).length, { timeout: 20_000 }).toBe(BIG_SUMMARY.length);
    await detail(page).getByRole('button', { name: 'Show all of blob' }).click();
    await expect.poll(async () => (await detail(page).getByRole('textbox', { name: 'Whole value of blob' }).inputValue()).length).toBe(BIG_LABEL.length);

    // the spoofed name: marked, with a warning, in the row and the pane
    const spoof = grid(page).getByRole('row').filter({ hasText: 'Looks like DiskFull' });
    await expect(spoof).toContainText('DiskU+200BFull');
    await expect(spoof.getByRole('img', { name: 'Hidden characters in the name or labels' })).toBeVisible();
    await spoof.click();
    await expect(detail(page).getByRole('alert')).toContainText('alertname holds hidden characters');

    // the console keeps working: the filter, another view and back, the other alert
    await page.getByRole('searchbox', { name: 'Search text' }).fill('wb-stock');
    await expect(huge).toBeVisible();
    await expect(bad).toHaveCount(0);
    await page.getByRole('searchbox', { name: 'Search text' }).fill('');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('button', { name: 'Settings' }).click();
    await nav.getByRole('button', { name: 'Alerts' }).click();
    await bad.click();
    await expect(detail(page)).toContainText('Contact links are broken');
    await expect(page.getByText('This part could not be shown.')).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  });
});
