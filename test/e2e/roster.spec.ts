/**
 * Roster and escalation end to end: the built browser host in Chromium, a real gateway process
 * (out/main/gateway.js, Alertmanager source) and a real Alertmanager binary. Nothing is faked; the
 * escalation policy is simply configured with seconds-long levels.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { startAlertmanager, type AlertmanagerHarness } from '../services/alertmanager';
import { expect, launchHost, OUT_DIR, openApp, test, type HostHandle } from './fixtures';

const TOKEN = 'e2e-roster-token-0123456789';

/** A roster whose answers do not depend on today's date: one person per rotation. */
function rosterYaml(id: string): string {
  return `id: ${id}
name: E2E roster
people:
  - { id: ana, name: Ana Example, role: SRE, phone: "+1 555 0100", email: ana@vigil-e2e.example, im: { dingtalk: ana_e2e } }
  - { id: bo, name: Bo Example, role: Second line, phone: "+1 555 0101", email: bo@vigil-e2e.example }
  - { id: cy, name: Cy Example, role: Lead, phone: "+1 555 0102" }
teams:
  - { id: e2e, name: E2E team, members: [ana, bo, cy] }
rotations:
  - { id: e2e-primary, team: e2e, name: E2E first line, line: 1, type: weekly, timeZone: Europe/Berlin, start: "2026-01-05", handover: "09:00", participants: [ana] }
  - { id: e2e-secondary, team: e2e, name: E2E second line, line: 2, type: weekly, timeZone: Europe/Berlin, start: "2026-01-05", handover: "09:00", participants: [bo] }
policies:
  # seconds-long levels for the test: L2 after 3 s, L3 only after 10 h (so exactly one escalation happens)
  - id: fast
    name: Fast test policy
    match: { severity: P1, teams: [e2e] }
    remindMinutes: 0
    levels:
      - { name: first line, afterMinutes: 0, targets: [{ rotation: e2e-primary }] }
      - { name: second line, afterMinutes: 0.05, targets: [{ rotation: e2e-secondary }] }
      - { name: lead, afterMinutes: 600, targets: [{ person: cy }] }
`;
}

const nav = (page: import('@playwright/test').Page) => page.getByRole('navigation', { name: 'Main navigation' });

test('the roster view shows who is on call now, filters people and lists the ladder (imported offline)', async ({ app, dataDir }, testInfo) => {
  const file = path.join(dataDir, 'e2e-roster.yaml');
  fs.writeFileSync(file, rosterYaml('e2e-local'));
  await nav(app).getByRole('button', { name: 'Roster' }).click();
  await app.getByRole('button', { name: 'Import roster…' }).click();
  await app.getByLabel('Roster file (YAML or CSV)').setInputFiles(file);
  await app.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Imported roster “e2e-local”' })).toBeVisible();

  const onCall = app.getByRole('region', { name: 'On call now' });
  await expect(onCall.getByRole('listitem', { name: 'E2E first line: Ana Example' })).toBeVisible();
  await expect(onCall.getByRole('listitem', { name: 'E2E second line: Bo Example' })).toBeVisible();
  await expect(onCall.getByRole('link', { name: 'Call Ana Example (+1 555 0100)' })).toHaveAttribute('href', 'tel:+15550100');

  const people = app.getByRole('region', { name: 'People' });
  await expect(people.getByRole('row')).toHaveCount(4); // header + 3
  await people.getByRole('searchbox', { name: 'Search people' }).fill('second line');
  await expect(people.getByRole('row')).toHaveCount(2);
  await expect(people.getByRole('cell', { name: 'Bo Example', exact: true })).toBeVisible();
  await people.getByRole('searchbox', { name: 'Search people' }).fill('');
  await people.getByRole('checkbox', { name: 'On call now only' }).check();
  await expect(people.getByRole('row')).toHaveCount(3);

  await expect(app.getByRole('table', { name: /Who is on call each day/ }).getByRole('row')).toHaveCount(3);
  const ladder = app.getByRole('list', { name: 'Fast test policy' });
  await expect(ladder.getByRole('listitem').filter({ hasText: 'L2' }).first()).toContainText('E2E second line — now Bo Example');

  await app.screenshot({ path: testInfo.outputPath('roster-view.png'), fullPage: true });

  // a broken file is refused with its line, and the stored roster stays
  const broken = path.join(dataDir, 'e2e-roster-broken.yaml');
  fs.writeFileSync(broken, rosterYaml('e2e-local').replace('participants: [bo]', 'participants: [zed]'));
  await app.getByLabel('Roster file (YAML or CSV)').setInputFiles(broken);
  await app.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(app.getByRole('alert').filter({ hasText: 'nothing was stored' })).toContainText('line 11 · rotations[1].participants[0]: unknown person "zed"');
  await expect(onCall.getByRole('listitem', { name: 'E2E second line: Bo Example' })).toBeVisible();
});

test.describe('escalation through the platform', () => {
  let am: AlertmanagerHarness | null = null;
  let gateway: (Started & { match: RegExpMatchArray }) | null = null;
  let host: HostHandle | null = null;
  const tmp = tempDir('vigil-e2e-roster-');

  test.afterAll(async () => {
    await host?.proc.stop();
    await gateway?.stop();
    await am?.stop();
    tmp.cleanup();
  });

  test('an unacked P1 escalates on a fast policy and the platform receives the escalate action once', async ({ page }) => {
    test.setTimeout(120_000);
    am = await startAlertmanager();
    const rosterFile = path.join(tmp.dir, 'roster.yaml');
    fs.writeFileSync(rosterFile, rosterYaml('e2e-platform'));
    const gwData = path.join(tmp.dir, 'gateway');
    gateway = await startProcess(
      process.execPath,
      [path.join(OUT_DIR, 'main/gateway.js'), '--source', 'alertmanager', '--alertmanager-url', am.url, '--roster', rosterFile, '--port', '0', '--data-dir', gwData, '--poll-interval', '300'],
      { env: { ...process.env, VIGIL_GATEWAY_TOKEN: TOKEN }, ready: /Vigil gateway listening on (ws:\/\/\S+)/, timeoutMs: 30_000 },
    );
    const wsUrl = gateway.match[1];
    host = await launchHost({ dataDir: path.join(tmp.dir, 'host'), args: ['--platform', wsUrl, '--token', TOKEN] });
    await openApp(page, host.url);

    // the roster arrives from the platform and is shown
    await nav(page).getByRole('button', { name: 'Roster' }).click();
    await expect(page.getByRole('region', { name: 'On call now' }).getByRole('listitem', { name: 'E2E first line: Ana Example' })).toBeVisible({ timeout: 30_000 });

    await am.postAlerts([{ labels: { alertname: 'E2EOrdersStuck', severity: 'critical', team: 'e2e' }, annotations: { summary: 'orders stuck' } }]);
    const [amAlert] = await am.alerts();

    const escalations = () => {
      const db = new Database(path.join(gwData, 'gateway.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare("SELECT payload, actor FROM actions WHERE type = 'alert.escalate'").all() as { payload: string; actor: string }[];
      } finally {
        db.close();
      }
    };
    await expect.poll(() => escalations().length, { timeout: 60_000, intervals: [500] }).toBeGreaterThanOrEqual(1);
    // several more engine passes (and a notification-driven reload) must not send it again
    await page.waitForTimeout(8_000);
    const got = escalations();
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].payload)).toMatchObject({ fingerprint: amAlert.fingerprint, level: 2, automatic: true });

    // the escalation under way is findable in the roster view: its level and who it reaches now
    const running = page.getByRole('list', { name: 'Escalations under way' });
    await expect(running.getByRole('listitem').filter({ hasText: 'E2EOrdersStuck' })).toContainText('level 2 of 3');
    await expect(running.getByRole('listitem').filter({ hasText: 'E2EOrdersStuck' })).toContainText('Reaches Bo Example');

    // and a restart of the console mid-ladder does not repeat it
    await host.restart();
    await openApp(page, host.url);
    await page.waitForTimeout(5_000);
    expect(escalations()).toHaveLength(1);
  });
});
