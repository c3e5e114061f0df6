/**
 * Offline knowledge, end to end in Chromium through the browser host. The platform is "stopped": the host
 * is pointed at a loopback port nothing listens on, so everything shown comes from the local cache, seeded
 * before the host starts (demo runbooks imported as a local folder, a dashboard cached 12 minutes ago,
 * alerts that link to the runbooks, a hostile runbook) — as is who signed in on this console before the
 * platform went away (Wang Fang, with her token still stored), so what she does offline is recorded as her.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { settled } from './settle';
import { choose, expect, launchHost, openApp, test, type HostHandle } from './fixtures';
import { DEMO_RUNBOOKS, HOSTILE_MARKDOWN, seedDashboard } from '../integration/knowledge/demo-content';
import { openKnowledgeTestbed } from '../integration/knowledge/seed';
import { tempDir } from '../helpers/tmp';

/** a loopback port with nothing listening: the platform is down */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const TOKEN = 'vgl_0123456789abcdef_' + 'w'.repeat(43);

async function seed(dataDir: string, platform: string) {
  const bed = openKnowledgeTestbed({ dataDir });
  try {
    // the platform proved Wang Fang on this console before it went away (link/session.ts keeps it per target)
    const identity = { login: 'wangfang', name: 'Wang Fang', role: 'responder', via: 'token' };
    bed.db.prepare("INSERT INTO link_meta (key, value) VALUES ('session', ?)").run(JSON.stringify({ key: platform, identity }));
    const imported = await bed.module.handlers.runbooksImportFolder(DEMO_RUNBOOKS);
    expect(imported.imported).toBeGreaterThanOrEqual(7);
    bed.upsertRunbook({ id: 'hostile', title: 'Hostile runbook', markdown: HOSTILE_MARKDOWN });
    seedDashboard(bed, { ageMs: 12 * 60_000 + 5_000 });
    bed.upsertAlert({
      fingerprint: 'fp-orders-pull',
      alertname: 'OzonOrdersPullLatencyHigh',
      labels: { alertname: 'OzonOrdersPullLatencyHigh', service: 'ozon-orders', severity: 'P1' },
      annotations: {
        summary: '拉单 P95 2m40s',
        runbook_url: 'https://runbooks.example.internal/ozon-orders-pull-latency',
      },
      severity: 'P1',
    });
  } finally {
    bed.close();
  }
}

let host: HostHandle | null = null;
test.beforeEach(async ({ dataDir }) => {
  const platform = `ws://127.0.0.1:${await deadPort()}`;
  await seed(dataDir, platform);
  host = await launchHost({ dataDir, args: ['--platform', platform], env: { VIGIL_PLATFORM_TOKEN: TOKEN } });
});
// eslint-disable-next-line no-empty-pattern -- Playwright needs the fixtures argument to pass testInfo
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && host)
    await testInfo.attach('host-output', { body: host.proc.output(), contentType: 'text/plain' });
  await host?.proc.stop();
  host = null;
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

test.describe('offline knowledge', () => {
  test('search in Chinese, open the structured runbook, tick steps and record them', async ({ page }, testInfo) => {
    await openApp(page, host!.url);
    await expect(page.getByRole('status', { name: 'Platform link' })).not.toContainText('Online');
    await nav(page).getByRole('button', { name: 'Runbooks' }).click();

    const search = page.getByRole('searchbox', { name: 'Search runbooks' });
    await search.fill('拉单延迟');
    const results = page.getByRole('list', { name: 'Search results' });
    await expect(results.getByRole('button').first()).toContainText('Ozon 拉单延迟升高');
    await expect(results.locator('mark').first()).toHaveText('拉单延迟');
    // two characters: the LIKE fallback, same ranking
    await search.fill('回传');
    await expect(results.getByRole('button').first()).toContainText('发货回传失败骤增');
    await expect(page.getByText('Terms shorter than 3 characters')).toBeVisible();

    await search.fill('拉单延迟');
    // results follow typing after a short pause: wait for this query's answer before opening the first hit
    await expect(results.getByRole('button').first()).toContainText('Ozon 拉单延迟升高');
    await results.getByRole('button').first().click();
    await expect(page.getByRole('heading', { level: 2, name: 'Ozon 拉单延迟升高（订单拉取）' })).toBeVisible();
    const toc = page.getByRole('navigation', { name: 'Contents' });
    for (const s of ['症状', '可能原因', '诊断步骤', '缓解', '根因修复'])
      await expect(toc.getByRole('button', { name: new RegExp(`^${s}`) })).toBeVisible();
    await toc.getByRole('button', { name: /^缓解/ }).click();
    await expect(page.getByRole('heading', { level: 3, name: '缓解' })).toBeFocused();

    // the firing alert that links here is listed
    await expect(page.getByRole('button', { name: 'Open alert OzonOrdersPullLatencyHigh' })).toBeVisible();

    // code blocks have a copy button
    await expect(page.getByRole('button', { name: 'Copy code block 1' }).first()).toBeVisible();

    const step = page.getByRole('checkbox', { name: /^看拉单延迟和失败数的走势/ });
    await step.check();
    await expect(page.getByText(/^1 of \d+ steps ticked$/)).toBeVisible();
    await page.getByRole('checkbox', { name: /^下调拉单并发和单批条数/ }).check();
    await expect(page.getByText(/^2 of \d+ steps ticked$/)).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('runbook-page.png') });

    // the ticks survive a reload (stored in SQLite)
    await page.reload();
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    await nav(page).getByRole('button', { name: 'Runbooks' }).click();
    await page.getByRole('searchbox', { name: 'Search runbooks' }).fill('拉单延迟');
    const again = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await expect(again).toContainText('Ozon 拉单延迟升高');
    await again.click();
    await expect(page.getByRole('checkbox', { name: /^看拉单延迟和失败数的走势/ })).toBeChecked();

    await page.getByRole('textbox', { name: 'Checklist note' }).fill('限流解除，拉单恢复');
    await page.getByRole('button', { name: 'Record checklist' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'queued for the platform' })).toBeVisible();
  });

  test('imports a local folder of runbooks by path (no folder chooser in the browser host)', async ({ page }) => {
    const dir = tempDir('vigil-e2e-runbooks-');
    try {
      fs.writeFileSync(path.join(dir.dir, 'disk-full.md'), '---\ntitle: 发货机磁盘写满\nservice: ozon-shipments\n---\n\n## 缓解\n1. 清理旧日志\n');
      fs.writeFileSync(path.join(dir.dir, 'notes.txt'), 'not a runbook');
      await openApp(page, host!.url);
      await nav(page).getByRole('button', { name: 'Runbooks' }).click();
      await page.getByText('Import a local folder').click();
      // a web page cannot learn a folder's path, so the browser host offers no chooser
      await expect(page.getByRole('button', { name: 'Choose folder…' })).toHaveCount(0);
      await page.getByRole('textbox', { name: 'Folder path' }).fill(path.join(dir.dir, 'missing'));
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'Import failed' })).toBeVisible();
      await page.getByRole('textbox', { name: 'Folder path' }).fill(dir.dir);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: /^Imported 1, updated 0/ })).toBeVisible();
      await page.getByRole('searchbox', { name: 'Search runbooks' }).fill('磁盘写满');
      await expect(page.getByRole('list', { name: 'Search results' }).getByRole('button').first()).toContainText('发货机磁盘写满');
    } finally {
      dir.cleanup();
    }
  });

  test('an alert opens its runbook from the runbook_url annotation', async ({ page }) => {
    await openApp(page, host!.url);
    await nav(page).getByRole('button', { name: 'Alerts' }).click();
    // the alert's own row (alert rows are selectable; a group's header row is not)
    await page.getByRole('grid', { name: 'Alerts' }).locator('[role="row"][aria-selected]').filter({ hasText: 'OzonOrdersPullLatencyHigh' }).first().click();
    await page.getByRole('button', { name: 'Open runbook "Ozon 拉单延迟升高（订单拉取）"' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Ozon 拉单延迟升高（订单拉取）' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Contents' })).toBeVisible();
  });

  test('a cached dashboard shows its panels and the age of its data', async ({ page }, testInfo) => {
    await openApp(page, host!.url);
    await nav(page).getByRole('button', { name: 'Dashboards' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Data as of 12 min ago' })).toBeVisible();
    for (const name of ['Order pull latency p95', 'Task backlog', 'Backlog now', 'Risk level'])
      await expect(page.getByRole('figure', { name })).toHaveAttribute('data-rendered', 'true');
    await expect(page.getByRole('heading', { name: 'Not shown: unsupported panel types' })).toBeVisible();
    await expect(page.getByText('Worker logs (logs)')).toBeVisible();
    // the last hour is only partly cached: the cache ended 12 minutes ago
    await expect(page.getByText(/No data after .* in the cache/)).toBeVisible();

    const range = page.getByRole('group', { name: 'Time range' });
    await range.getByRole('button', { name: '24 hours' }).click();
    await expect(range.getByRole('button', { name: '24 hours' })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByText(/The cache starts at/)).toBeVisible();
    await expect(page.getByRole('figure', { name: 'Task backlog' })).toHaveAttribute('data-rendered', 'true');

    await page.getByRole('button', { name: 'Refresh now' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: /Asked the platform|Showing the cached data/ }),
    ).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Data as of 12 min ago' })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('dashboard-offline.png') });

    // the same in Chinese
    await nav(page).getByRole('button', { name: 'Settings' }).click();
    await choose(page.getByRole('combobox', { name: 'Language' }), '简体中文');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('button', { name: '仪表盘' }).click();
    await expect(page.getByRole('status').filter({ hasText: '数据截至 12 分钟前' })).toBeVisible();
  });

  test('hostile runbook content executes nothing and navigates nowhere', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await openApp(page, host!.url);
    const url = page.url();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));

    await nav(page).getByRole('button', { name: 'Runbooks' }).click();
    await page.getByRole('searchbox', { name: 'Search runbooks' }).fill('hostile');
    await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Hostile runbook/ }).first().click();
    await expect(page.getByRole('heading', { level: 2, name: 'Hostile runbook' })).toBeVisible();

    const article = page.getByRole('article');
    await expect(
      article.locator('script, iframe, svg, form, meta, [onerror], [onload], [onmouseover], [style]'),
    ).toHaveCount(0);
    await article.getByText('Click for javascript').click();
    await article.getByText('Click for data').click();
    await article.getByText('hover anywhere').hover();
    await expect(article.getByRole('button', { name: 'Submit me' })).toHaveCount(0);
    await settled(page);

    expect(dialogs).toEqual([]);
    expect(navigations).toEqual([]);
    expect(page.url()).toBe(url);
    expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
  });
});
