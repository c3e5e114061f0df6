import { choose, expect, launchHost, openApp, test, toast } from './fixtures';

test.describe('browser host frame', () => {
  test('shows the frame, switches zh-CN ↔ en, keeps a setting across reload', async ({ app, host }, testInfo) => {
    const nav = app.getByRole('navigation', { name: 'Main navigation' });
    await expect(nav.getByRole('button', { name: 'Alerts' })).toBeVisible();
    await expect(app.getByRole('status', { name: 'Platform link' })).toBeVisible();

    await nav.getByRole('button', { name: 'Settings' }).click();
    await choose(app.getByRole('combobox', { name: 'Language' }), '简体中文');
    const navZh = app.getByRole('navigation', { name: '主导航' });
    await expect(navZh.getByRole('button', { name: '告警' })).toBeVisible();
    await expect(app.getByRole('heading', { name: '设置' })).toBeVisible();

    await choose(app.getByRole('combobox', { name: '语言' }), 'English');
    await expect(nav.getByRole('button', { name: 'Alerts' })).toBeVisible();

    // the demo gateway signs in the OS user: the name comes from the sign-in, not from a text box
    await expect(app.getByRole('textbox', { name: /Your name comes from your sign-in/ })).toBeDisabled();
    await app.getByRole('textbox', { name: /^Time zone/ }).fill('Asia/Shanghai');
    await choose(app.getByRole('combobox', { name: 'Notify from severity' }), 'P1');
    await app.getByRole('button', { name: 'Save' }).click();
    await expect(toast(app, 'Settings saved')).toBeVisible();

    await app.reload();
    await expect(app.locator('body[data-ready="true"]')).toBeAttached();
    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
    await expect(app.getByRole('textbox', { name: /^Time zone/ })).toHaveValue('Asia/Shanghai');
    await expect(app.getByRole('combobox', { name: 'Notify from severity' })).toHaveText('P1');

    // and across a restart of the host on the same data dir
    await host.restart();
    await openApp(app, host.url);
    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
    await expect(app.getByRole('textbox', { name: /^Time zone/ })).toHaveValue('Asia/Shanghai');

    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Alerts' }).click();
    await app.screenshot({ path: testInfo.outputPath('main-screen.png') });
  });

  test('the alert table keeps the columns, widths and sort a person left it in, across a reload', async ({ app }) => {
    const grid = app.getByRole('grid', { name: 'Alerts' });
    await expect(grid.locator('.alert-row').first()).toBeVisible({ timeout: 30_000 });
    // hide a column from the Columns menu (keyboard reachable), sort by another from its header
    await app.getByRole('button', { name: 'Columns' }).click();
    await app.getByRole('menuitemcheckbox', { name: 'Owner' }).click();
    await app.keyboard.press('Escape');
    await expect(grid.getByRole('columnheader', { name: 'Owner' })).toHaveCount(0);
    await grid.getByRole('button', { name: 'Sort by Alert' }).click();
    await expect(grid.getByRole('columnheader', { name: /Alert/ }).first()).toHaveAttribute('aria-sort', 'ascending');
    // make the summary column wider through its column menu
    const summary = grid.getByRole('columnheader', { name: /Summary/ });
    const before = (await summary.boundingBox())!.width;
    await grid.getByRole('button', { name: 'Column Summary: options' }).click();
    await app.getByRole('menuitem', { name: 'Wider' }).click();
    await expect.poll(async () => (await summary.boundingBox())!.width).toBeGreaterThan(before);
    const wider = (await summary.boundingBox())!.width;
    await app.waitForTimeout(1000); // the layout is saved once the changes stop

    await app.reload();
    await expect(app.locator('body[data-ready="true"]')).toBeAttached();
    await expect(grid.locator('.alert-row').first()).toBeVisible({ timeout: 30_000 });
    await expect(grid.getByRole('columnheader', { name: 'Owner' })).toHaveCount(0);
    await expect(grid.getByRole('columnheader', { name: /Alert/ }).first()).toHaveAttribute('aria-sort', 'ascending');
    expect(Math.round((await grid.getByRole('columnheader', { name: /Summary/ }).boundingBox())!.width)).toBe(Math.round(wider));

    await app.getByRole('button', { name: 'Columns' }).click();
    await app.getByRole('menuitem', { name: 'Reset columns' }).click();
    await expect(grid.getByRole('columnheader', { name: 'Owner' })).toHaveCount(1);
  });

  test('rejects a bad setting with a clear message and keeps the old value', async ({ app }) => {
    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
    await app.getByRole('textbox', { name: /Platform URL/ }).fill('http://not-a-websocket.example');
    await app.getByRole('button', { name: 'Save' }).click();
    await expect(app.getByRole('alert')).toContainText('ws:// or wss://');
    await app.reload();
    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
    await expect(app.getByRole('textbox', { name: /Platform URL/ })).toHaveValue('');
  });

  test('follows the browser locale on first launch', async ({ browser, host }) => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await openApp(page, host.url);
    await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('button', { name: '值班表' })).toBeVisible();
    await ctx.close();
  });

  test('a page without the secret shows a clear message and no data', async ({ page, host }) => {
    await page.goto(host.origin + '/');
    await expect(page.getByRole('alert')).toContainText('Invalid or missing secret');
    await expect(page.getByRole('navigation')).toHaveCount(0);
    await page.goto('about:blank');
    await page.goto(host.origin + '/#secret=wrong-secret');
    await expect(page.getByRole('alert')).toContainText('Invalid or missing secret');
  });

  test('a corrupt database is reported and can be moved aside', async ({ page, dataDir }) => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    fs.writeFileSync(path.join(dataDir, 'vigil.db'), 'this is not a database, just text '.repeat(200));
    const host = await launchHost({ dataDir });
    try {
      await openApp(page, host.url);
      await expect(page.getByRole('alert').filter({ hasText: 'The local database cannot be used' })).toBeVisible();
      await page.getByRole('button', { name: 'Move it aside and start fresh' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'The local database cannot be used' })).toHaveCount(0);
      expect(fs.readdirSync(dataDir).some((f) => f.startsWith('vigil.db.broken-'))).toBe(true);
    } finally {
      await host.proc.stop();
    }
  });
});
