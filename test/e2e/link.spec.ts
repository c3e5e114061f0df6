/**
 * The platform link end to end: the browser host as users run it, with the embedded demo gateway (first
 * launch) or a real gateway process (`out/main/gateway.js --source demo`) that the test stops and restarts.
 */
import path from 'node:path';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { expect, launchHost, OUT_DIR, openApp, test } from './fixtures';

const TOKEN = 'e2e-link-token-42';

async function startGateway(dataDir: string, port = 0): Promise<Started & { url: string }> {
  const p = await startProcess(
    process.execPath,
    [
      path.join(OUT_DIR, 'main/gateway.js'),
      '--source',
      'demo',
      '--port',
      String(port),
      '--token',
      TOKEN,
      '--data-dir',
      dataDir,
    ],
    { env: process.env, ready: /Vigil gateway listening on (\S+)/, timeoutMs: 30_000 },
  );
  return Object.assign(p, { url: p.match[1] });
}

/** the value of one sample of a gateway metric, found by name and labels (in any order) */
async function metric(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url.replace(/^ws/, 'http')}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test.describe('platform link', () => {
  test('a first launch connects to the embedded demo gateway: online, alerts arrive, test connection works', async ({
    app,
  }) => {
    const link = app.getByRole('status', { name: 'Platform link' });
    await expect(link).toContainText('Online', { timeout: 20_000 });
    await expect(link).toContainText('demo gateway');
    // alerts from the demo arrived in the local store and the table
    await expect(app.getByRole('checkbox', { name: /^Select / }).first()).toBeVisible({ timeout: 20_000 });
    await expect(app.getByLabel('Data age')).not.toContainText('Alerts: never synced');

    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
    await expect(app.getByText(/Using the built-in demo gateway/)).toBeVisible();
    await app.getByRole('button', { name: 'Test connection' }).click();
    await expect(app.getByRole('status', { name: 'Test connection' })).toContainText('Connection works');
    await expect(app.getByRole('heading', { name: 'Outbox' })).toBeVisible();
  });

  test('platform stopped: "Offline since …"; an action queued offline waits in the outbox and is applied once after the platform is back', async ({
    page,
  }) => {
    const dirs = [tempDir('vigil-e2e-gw-'), tempDir('vigil-e2e-host-')];
    let gw = await startGateway(dirs[0].dir);
    const port = Number(new URL(gw.url).port);
    const host = await launchHost({ dataDir: dirs[1].dir, args: ['--platform', gw.url, '--token', TOKEN] });
    try {
      await openApp(page, host.url);
      const link = page.getByRole('status', { name: 'Platform link' });
      await expect(link).toContainText('Online', { timeout: 20_000 });
      await expect(link).not.toContainText('demo gateway');
      const firstAlert = page.getByRole('checkbox', { name: /^Select / }).first();
      await expect(firstAlert).toBeVisible({ timeout: 20_000 });

      await gw.stop('SIGKILL');
      await expect(link).toContainText('Offline', { timeout: 60_000 });
      await expect(link).toContainText(/since \d/);

      // an action while offline (a silence through the alerts view): queued, visible as waiting
      await firstAlert.check();
      await page.getByRole('button', { name: 'Silence…', exact: true }).click();
      await page.getByRole('textbox', { name: 'Comment (required)' }).fill('e2e: silenced while the platform is down');
      await page.getByRole('button', { name: 'Create silence' }).click();
      await expect(page.getByText('1 action waiting')).toBeVisible();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
      const outbox = page.getByRole('table', { name: 'Actions not yet confirmed' });
      await expect(outbox.getByRole('row').filter({ hasText: 'Create silence' })).toContainText('Waiting to send');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByRole('status', { name: 'Test connection' })).toContainText('not reachable');

      // the platform comes back on the same address and data: the link reconnects by itself
      gw = await startGateway(dirs[0].dir, port);
      await expect(link).toContainText('Online', { timeout: 60_000 });
      await expect(page.getByText('No actions waiting')).toBeVisible({ timeout: 20_000 });
      await expect(page.getByText(/^\d+ actions? waiting$/)).toHaveCount(0);
      expect(await metric(gw.url, 'vigil_gateway_actions_total', { type: 'silence.create', result: 'applied' })).toBe(
        1,
      );
      expect(await metric(gw.url, 'vigil_gateway_actions_total', { type: 'silence.create', result: 'replayed' })).toBe(
        0,
      );
      await page.getByText(/Recently finished/).click();
      await expect(
        page
          .getByRole('table', { name: 'Recently finished actions' })
          .getByRole('row')
          .filter({ hasText: 'Create silence' }),
      ).toContainText('Confirmed');
    } finally {
      await host.proc.stop();
      await gw.stop();
      dirs.forEach((d) => d.cleanup());
    }
  });
});
