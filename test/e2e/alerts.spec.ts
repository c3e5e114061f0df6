/**
 * The alert console end to end: the built browser host in Chromium, a real gateway process
 * (out/main/gateway.js with the Alertmanager source) and a real Alertmanager binary. Alerts are POSTed to
 * Alertmanager exactly as Prometheus would; nothing in between is faked.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { freePort } from '../services/common';
import { startAlertmanager, type AlertmanagerHarness, type PostableAlert } from '../services/alertmanager';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { expect, launchHost, OUT_DIR, openApp, test, type HostHandle } from './fixtures';

const TOKEN = 'e2e-alerts-token-0123456789';

interface Stack {
  am: AlertmanagerHarness;
  gateway: Started;
  host: HostHandle;
  gwPort: number;
  gwData: string;
  /** the gateway's ws:// URL, as the host is given it */
  gwUrl: string;
  startGateway(): Promise<Started>;
}

async function startStack(dir: string): Promise<Stack> {
  const am = await startAlertmanager({});
  const gwPort = await freePort();
  const gwData = path.join(dir, 'gateway');
  const startGateway = () =>
    startProcess(
      process.execPath,
      [path.join(OUT_DIR, 'main/gateway.js'), '--source', 'alertmanager', '--alertmanager-url', am.url, '--port', String(gwPort), '--data-dir', gwData, '--poll-interval', '300'],
      { env: { ...process.env, VIGIL_GATEWAY_TOKEN: TOKEN }, ready: /Vigil gateway listening on (ws:\/\/\S+)/, timeoutMs: 30_000 },
    );
  const gateway = await startGateway();
  const host = await launchHost({ dataDir: path.join(dir, 'host'), args: ['--platform', gateway.match[1], '--token', TOKEN] });
  return { am, gateway, host, gwPort, gwData, gwUrl: gateway.match[1], startGateway };
}

const orderAlert = (over: Partial<PostableAlert['labels']> = {}, summary = 'Order pull failed 63 times in 5 min'): PostableAlert => ({
  labels: { alertname: 'E2eOrderPullFailures', service: 'ozon-orders', severity: 'critical', instance: 'sync-1:9100', ...over },
  annotations: { summary, runbook_url: 'https://runbooks.vigil-e2e.example/order-pull' },
});

const grid = (page: Page) => page.getByRole('grid', { name: 'Alerts' });
const alertRow = (page: Page, summary: string) => grid(page).getByRole('row').filter({ hasText: summary });

test.describe('alert console with gateway and Alertmanager', () => {
  let tmp: ReturnType<typeof tempDir>;
  let stack: Stack | null = null;

  test.beforeEach(async () => {
    tmp = tempDir('vigil-e2e-alerts-');
    stack = await startStack(tmp.dir);
  });
  test.afterEach(async () => {
    await stack?.host.proc.stop();
    await stack?.gateway.stop();
    await stack?.am.stop();
    stack = null;
    tmp.cleanup();
  });

  test('a POSTed alert shows, keyboard a acks it, s silences it in Alertmanager, label matchers filter', async ({ page }) => {
    test.setTimeout(120_000);
    const { am, host } = stack!;
    await am.postAlerts([orderAlert(), orderAlert({ alertname: 'E2eQueueBacklog', severity: 'warning', instance: 'q-1' }, 'Task backlog above 5k and growing')]);
    await openApp(page, host.url);

    const row = alertRow(page, 'Order pull failed 63 times');
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row).toContainText('P1');
    await expect(row).toContainText('firing');
    await expect(page.getByRole('list', { name: 'Firing alerts by severity' }).getByRole('listitem', { name: 'P1: 1 unacked of 1' })).toBeVisible();
    await expect(page).toHaveTitle('(2) Vigil');

    // label matchers, Alertmanager syntax
    const matchers = page.getByRole('textbox', { name: 'Label matchers' });
    await matchers.fill('severity="warning"');
    await expect(alertRow(page, 'Task backlog above 5k')).toBeVisible();
    await expect(row).toHaveCount(0);
    await matchers.fill('service=~"ozon.*", severity!="warning"');
    await expect(row).toBeVisible();
    await expect(alertRow(page, 'Task backlog above 5k')).toHaveCount(0);
    await matchers.fill('severity=~"("');
    await expect(page.getByRole('alert').filter({ hasText: 'Label matchers: column 11' })).toBeVisible();
    await page.getByRole('button', { name: 'Clear filter' }).click();

    // keyboard: one alert matches, drawn without a group header (a group of one has none); a acks it through the outbox
    await page.getByRole('searchbox', { name: 'Search text' }).fill('order pull');
    await grid(page).focus();
    await page.keyboard.press('j');
    await page.keyboard.press('a');
    await expect(row).toContainText('acked', { timeout: 20_000 });
    await expect.poll(async () => (await am.silences()).filter((s) => s.comment.startsWith('ACK by on-call')).length, { timeout: 10_000 }).toBe(1);
    await expect(page).toHaveTitle('(1) Vigil');

    // s opens the silence dialog prefilled from the alert; the comment is required
    await grid(page).focus();
    await page.keyboard.press('s');
    const dialog = page.getByRole('dialog', { name: 'New silence' });
    await expect(dialog.getByRole('textbox', { name: 'Matchers' })).toHaveValue(/alertname="E2eOrderPullFailures"/);
    await dialog.getByRole('radio', { name: '4 h' }).check();
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('A comment is required.');
    await dialog.getByRole('textbox', { name: 'Comment (required)' }).fill('e2e release window for ozon-orders');
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await expect(dialog).toHaveCount(0);
    await expect
      .poll(async () => (await am.silences()).find((s) => s.comment === 'e2e release window for ozon-orders' && s.status.state === 'active'), { timeout: 15_000 })
      .toMatchObject({ matchers: expect.arrayContaining([expect.objectContaining({ name: 'alertname', value: 'E2eOrderPullFailures', isRegex: false })]) });

    // Enter opens the detail pane: labels and annotations as text, the runbook link through the vetted opener
    await page.keyboard.press('Enter');
    const detail = page.getByRole('complementary', { name: 'Alert details' });
    await expect(detail.getByRole('region', { name: 'Labels' })).toContainText('ozon-orders');
    await expect(detail.getByRole('button', { name: /Open https:\/\/runbooks\.vigil-e2e\.example\/order-pull/ })).toBeVisible();
    await expect(detail.getByRole('region', { name: 'History' })).toContainText('ack requested by on-call');

    // ? lists the shortcuts
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Ack the selection');
  });

  test('gateway stopped: offline banner, an ack queues; gateway back: the ack is applied once', async ({ page }) => {
    test.setTimeout(150_000);
    const s = stack!;
    await s.am.postAlerts([orderAlert({ instance: 'sync-9:9100' }, 'Shipment push failures above threshold')]);
    await openApp(page, s.host.url);
    const row = alertRow(page, 'Shipment push failures');
    await expect(row).toBeVisible({ timeout: 20_000 });

    await s.gateway.stop();
    await expect(page.getByRole('alert').filter({ hasText: 'Offline: showing cached alerts' })).toBeVisible({ timeout: 30_000 });
    await expect(row).toBeVisible();

    await row.click();
    await page.keyboard.press('Escape'); // close the detail pane, keep the cursor
    await page.keyboard.press('a');
    await expect(row).toContainText('Ack pending');
    await expect(page.getByText('1 action waiting')).toBeVisible();
    expect((await s.am.silences()).length).toBe(0);

    s.gateway = await s.startGateway();
    await expect(row).toContainText('acked', { timeout: 60_000 });
    await expect(row).not.toContainText('pending');
    await expect.poll(async () => (await s.am.silences()).filter((x) => x.comment.startsWith('ACK by')).length, { timeout: 10_000 }).toBe(1);
    await expect(page.getByRole('alert').filter({ hasText: 'Offline' })).toHaveCount(0);
  });

  test('a few hundred alerts: grouped, counted, screenshot', async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const services = ['ozon-orders', 'ozon-shipments', 'inventory-push', 'price-push', 'fx-refresh', 'api-gateway'];
    const kinds: [string, string, string][] = [
      ['OrderPullFailures', 'critical', 'Order pull failures above 50 in 5 min'],
      ['ShipmentPushFailures', 'critical', 'Shipment push failures rising'],
      ['TaskBacklogHigh', 'warning', 'Task backlog above 5k and growing'],
      ['DbQueryP95High', 'warning', 'DB p95 query time above 500 ms for 10 min'],
      ['ApiP99Slow', 'page', 'API P99 above 5 s for 2 min'],
      ['FxRefreshLagging', 'info', 'FX refresh latency above target'],
    ];
    const batch: PostableAlert[] = [];
    for (let i = 0; i < 300; i++) {
      const [alertname, severity, summary] = kinds[i % kinds.length];
      batch.push({
        labels: { alertname, severity, service: services[(i * 7) % services.length], instance: `node-${i}:9100`, shop_id: `shop-${i % 40}` },
        annotations: { summary: `${summary} (node-${i})` },
      });
    }
    await stack!.am.postAlerts(batch);
    await openApp(page, stack!.host.url);
    await expect(page.getByText('300 of 300 shown')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('list', { name: 'Firing alerts by severity' }).getByRole('listitem', { name: 'P0: 50 unacked of 50' })).toBeVisible();
    const firstGroup = grid(page).getByRole('row', { name: /alertname=ApiP99Slow/ }).first();
    await expect(firstGroup).toHaveAttribute('aria-expanded', 'true');
    await grid(page).getByRole('row').filter({ hasText: 'node-4)' }).first().click();
    await expect(page.getByRole('complementary', { name: 'Alert details' })).toBeVisible();
    const file = testInfo.outputPath('alerts-view-300.png');
    await page.screenshot({ path: file });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);

    // the cursor row stays in view as j walks far down the windowed list, and a new search starts at the top
    await page.keyboard.press('Escape');
    await grid(page).focus();
    // the grid names its cursor row with aria-activedescendant
    const current = async () => grid(page).getByRole('row').and(page.locator(`[id="${await grid(page).getAttribute('aria-activedescendant')}"]`));
    for (let i = 0; i < 60; i++) await page.keyboard.press('j');
    await expect(await current()).toBeInViewport();
    expect(Number(await (await current()).getAttribute('aria-rowindex'))).toBeGreaterThan(40);
    await page.getByRole('searchbox', { name: 'Search text' }).fill('node-1');
    await expect(await current()).toHaveAttribute('aria-rowindex', '2');
    await expect(await current()).toBeInViewport();
    await page.getByRole('searchbox', { name: 'Search text' }).fill('');
    await expect(page.getByText('300 of 300 shown')).toBeVisible();
    await expect(await current()).toBeInViewport();
  });

  // Issue #18: the core wrote toasts in the host process's locale while the page followed the browser's.
  // An English host (LANG=en_US.UTF-8), a Chinese browser, the language setting 'auto': the storm summary
  // the core words must be Chinese, as the page is.
  test('one language: a zh-CN page on an en_US host reads the storm toast in Chinese', async ({ browser }) => {
    test.setTimeout(120_000);
    const { am, gwUrl } = stack!;
    await stack!.host.proc.stop();
    const env = { LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8', LANGUAGE: 'en_US' };
    stack!.host = await launchHost({ dataDir: path.join(tmp.dir, 'host-en'), args: ['--platform', gwUrl, '--token', TOKEN], env });
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    try {
      await openApp(page, stack!.host.url);
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
      // a storm across many groups: a few pop-ups, then one storm summary when the storm window closes
      await am.postAlerts(
        Array.from({ length: 40 }, (_, i) => ({
          labels: { alertname: 'E2eStormAlert', service: `storm-svc-${i}`, severity: 'critical', instance: `s-${i}:9100` },
          annotations: { summary: `Storm member ${i}` },
        })),
      );
      const toasts = page.getByRole('region', { name: /^通知/ });
      await expect(toasts.getByText(/告警风暴：\d+ 组共 \d+ 条告警/)).toBeVisible({ timeout: 75_000 });
      await expect(toasts.getByText(/Alert storm/)).toHaveCount(0);
    } finally {
      await ctx.close();
    }
  });
});
