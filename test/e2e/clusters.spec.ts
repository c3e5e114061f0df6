/**
 * Many Alertmanagers end to end: the built browser host in Chromium, a real gateway process started with
 * `--config` (an HA pair "prod" and a standalone "staging", written as a user would), and the real
 * Alertmanager binaries. The same alert posted to both members of the pair shows once; each alert shows its
 * cluster; the cluster filter narrows; an ack says when it runs out; an inhibited alert names its inhibitor.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { freePort } from '../services/common';
import { startAlertmanager, startAlertmanagerCluster, type AlertmanagerCluster, type AlertmanagerHarness } from '../services/alertmanager';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { choose, expect, launchHost, OUT_DIR, openApp, test, type HostHandle } from './fixtures';

const TOKEN = 'e2e-clusters-token-0123456789';
const grid = (page: Page) => page.getByRole('grid', { name: 'Alerts' });
const alertRow = (page: Page, summary: string) => grid(page).getByRole('row').filter({ hasText: summary });

test.describe('clusters: one console over an HA pair and a standalone Alertmanager', () => {
  let tmp: ReturnType<typeof tempDir>;
  let pair: AlertmanagerCluster | null = null;
  let staging: AlertmanagerHarness | null = null;
  let gateway: (Started & { match: RegExpMatchArray }) | null = null;
  let host: HostHandle | null = null;

  test.beforeEach(async () => {
    tmp = tempDir('vigil-e2e-clusters-');
    pair = await startAlertmanagerCluster(2);
    staging = await startAlertmanager({
      inhibitRules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service'] }],
    });
    const config = path.join(tmp.dir, 'vigil.yaml');
    fs.writeFileSync(
      config,
      [
        'pollInterval: 300ms',
        'clusters:',
        '  - name: prod',
        `    members: [${pair.members.map((m) => m.url).join(', ')}]`,
        '  - name: staging',
        `    members: [${staging.url}]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    gateway = await startProcess(process.execPath, [path.join(OUT_DIR, 'main/gateway.js'), '--config', config, '--port', String(port), '--data-dir', path.join(tmp.dir, 'gw')], {
      env: { ...process.env, VIGIL_GATEWAY_TOKEN: TOKEN },
      ready: /Vigil gateway listening on (ws:\/\/\S+)/,
      timeoutMs: 30_000,
    });
    host = await launchHost({ dataDir: path.join(tmp.dir, 'host'), args: ['--platform', gateway.match[1], '--token', TOKEN] });
  });
  test.afterEach(async () => {
    await host?.proc.stop();
    await gateway?.stop();
    await pair?.stop();
    await staging?.stop();
    tmp.cleanup();
  });

  test('one row per alert across members, its cluster shown and filtered, ack expiry, inhibited by', async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const order = { labels: { alertname: 'E2eClusterOrders', service: 'orders', severity: 'critical' }, annotations: { summary: 'Orders stuck in prod' } };
    // as Prometheus does: the same alert to both members of the pair
    await Promise.all(pair!.members.map((m) => m.postAlerts([order])));
    await staging!.postAlerts([
      { labels: { alertname: 'E2eStagingDb', service: 'db', severity: 'critical' }, annotations: { summary: 'Staging database down' } },
      { labels: { alertname: 'E2eStagingLatency', service: 'db', severity: 'warning' }, annotations: { summary: 'Staging latency high' } },
    ]);
    await openApp(page, host!.url);

    const prodRow = alertRow(page, 'Orders stuck in prod');
    await expect(prodRow).toHaveCount(1, { timeout: 20_000 });
    await expect(prodRow).toContainText('prod');
    await expect(grid(page).getByRole('columnheader', { name: 'Cluster' })).toBeVisible();

    // inhibited is its own state, naming the alert that inhibits it
    const latency = alertRow(page, 'Staging latency high');
    await expect(latency).toContainText('inhibited', { timeout: 20_000 });
    await latency.click();
    await expect(page.getByRole('complementary', { name: 'Alert details' })).toContainText('Inhibited by E2eStagingDb');
    await page.getByRole('button', { name: 'Close details' }).click();

    // the cluster filter writes @cluster into the matchers
    await choose(page.getByRole('combobox', { name: 'Cluster' }), 'staging');
    await expect(page.getByRole('textbox', { name: 'Label matchers' })).toHaveValue('{@cluster="staging"}');
    await expect(prodRow).toHaveCount(0);
    await expect(alertRow(page, 'Staging database down')).toBeVisible();
    await page.getByRole('button', { name: 'Clear filter' }).click();

    // ack the prod alert: one ACK silence in the pair, and the row says when the ack runs out
    await prodRow.click();
    await page.getByRole('region', { name: 'Actions on this alert' }).getByRole('button', { name: 'Ack', exact: true }).click();
    await expect(prodRow).toContainText(/acked.*ack expires in (59|60) min/, { timeout: 20_000 });
    await expect
      .poll(async () => (await pair!.members[1].silences()).filter((s) => s.comment.startsWith('ACK by')).length, { timeout: 10_000 })
      .toBe(1);
    expect((await staging!.silences()).length).toBe(0);
    const file = testInfo.outputPath('clusters-view.png');
    await page.screenshot({ path: file });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  });
});
