/**
 * Checklists, incidents and handover through the browser host. The self-check runs against a real
 * gateway (out/main/gateway.js, demo source) on a quiet world from test/fixtures/process/e2e-world, so
 * what it reads is predictable; the incident and handover flows use the host's embedded demo gateway.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startProcess } from '../services/processes';
import { missingBinaries, startNotifySession, type NotifySession } from '../services/notify-session';
import { choose, expect, launchHost, openApp, OUT_DIR, test, toast } from './fixtures';

const WORLD = path.resolve(__dirname, '../fixtures/process/e2e-world');
const TOKEN = 'e2e-process-token-0123456789';

async function startWorldGateway(dir: string) {
  const world = path.join(dir, 'world');
  fs.cpSync(WORLD, world, { recursive: true });
  const roster = path.resolve(__dirname, '../../resources/demo/roster.yaml');
  if (fs.existsSync(roster)) fs.copyFileSync(roster, path.join(world, 'roster.yaml'));
  return startProcess(
    process.execPath,
    [path.join(OUT_DIR, 'main/gateway.js'), '--source', 'demo', '--port', '0', '--token', TOKEN, '--data-dir', path.join(dir, 'gw'), '--demo-dir', world],
    { env: process.env, ready: /Vigil gateway listening on (\S+)/, timeoutMs: 30_000 },
  );
}

/**
 * The self-check's "a test notification appears" runs for real: Xvfb, a D-Bus session bus and dunst as
 * the notification daemon (test/services/notify-session.ts, what .ci/run installs), with dbus-monitor
 * recording every Notify call. The host runs in that session, so node-notifier's notify-send reaches dunst.
 */
async function desktopSession(): Promise<NotifySession> {
  const missing = missingBinaries();
  if (missing.length) throw new Error(`the desktop notification stack is missing: ${missing.join(', ')} (.ci/run installs xvfb, dbus-x11, dunst, libnotify-bin)`);
  return startNotifySession();
}

const nav = (app: Page, name: string) => app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name }).click();
const step = (app: Page, title: string | RegExp): Locator => app.getByRole('listitem', { name: title });

test.describe('shift self-check', () => {
  test('with the gateway up: readiness and thresholds green, manual items ticked, result green', async ({ page, dataDir }, testInfo) => {
    const gw = await startWorldGateway(dataDir);
    const notify = await desktopSession();
    const host = await launchHost({ dataDir: path.join(dataDir, 'console'), args: ['--platform', gw.match[1], '--token', TOKEN], env: notify.env });
    try {
      await openApp(page, host.url);
      await expect(page.getByRole('status', { name: 'Platform link' })).toContainText('Online', { timeout: 20_000 });
      await nav(page, 'Checklists');
      await page.getByRole('button', { name: 'Run shift self-check' }).click();
      const run = page.getByRole('region', { name: 'Shift self-check' });
      await expect(run).toBeVisible();

      await expect(step(page, 'A test notification appears on this desktop')).toHaveAttribute('data-state', 'done');
      await expect(step(page, 'A test notification appears on this desktop')).toContainText('Auto-check: passed');
      // the daemon was asked to show it: the Notify call on the session bus, as the OS received it
      await expect.poll(() => notify.calls().map((c) => c.summary)).toContain('Vigil test notification');
      expect(notify.calls().find((c) => c.summary === 'Vigil test notification')).toMatchObject({ appName: 'Vigil', body: 'Shift self-check: if you can read this, notifications on this desk work.' });
      // Series reach the cache a moment after the snapshot: check again until the metrics are read.
      await expect(async () => {
        await run.getByRole('button', { name: 'Run checks again' }).click();
        await expect(step(page, /Task backlog below 80%/)).toHaveAttribute('data-state', 'done', { timeout: 1500 });
        await expect(step(page, /Database connections below 70%/)).toHaveAttribute('data-state', 'done', { timeout: 1500 });
      }).toPass({ timeout: 30_000 });
      await expect(step(page, /Task backlog below 80%/)).toContainText('limit < 4000');
      await expect(step(page, /Database connections below 70%/)).toContainText('limit < 140');
      await expect(step(page, 'No P0/P1 alert is firing')).toHaveAttribute('data-state', 'done');

      // What only a person can confirm.
      const paging = step(page, /Test-call every paging channel/);
      // this console signs in with the shared token, not as a roster person: the test call says so rather than passing
      await expect(paging).toContainText('no paging path is configured for you');
      await expect(paging).toContainText('you are not in the platform roster; this console: not signed in as a person');
      await paging.getByRole('textbox', { name: 'Evidence (pasted value)' }).fill('IM 09:01, SMS 09:02, phone 09:03');
      await paging.getByRole('button', { name: 'Done' }).click();
      await step(page, /second-line engineer/).getByRole('button', { name: 'Done' }).click();
      await step(page, /Core dashboards show no red panel/).getByRole('button', { name: 'Done' }).click();
      await expect(paging).toHaveAttribute('data-state', 'done');

      for (const title of ['Platform link is online', 'Platform token is accepted', /Cached alerts, dashboards and runbooks/, 'Roster synced within the last hour'])
        await expect(step(page, title)).toHaveAttribute('data-state', 'done');
      await expect(run.getByRole('status', { name: 'Result' })).toHaveAttribute('data-result', 'green');
      await page.screenshot({ path: testInfo.outputPath('self-check.png'), fullPage: true });
      await run.getByRole('button', { name: 'Finish run' }).click();
      await expect(page.getByRole('list', { name: 'Finished runs' }).getByRole('button', { name: /Shift self-check/ })).toBeVisible();
    } finally {
      await host.proc.stop();
      await gw.stop();
      await notify.stop();
    }
  });

  test('with the gateway down: the link item is red, the rest still evaluated, failures first', async ({ page, dataDir }) => {
    // the console signed in once (the platform said who the token is), then the platform went away
    const gw = await startWorldGateway(dataDir);
    const notify = await desktopSession();
    const host = await launchHost({ dataDir: path.join(dataDir, 'console'), args: ['--platform', gw.match[1], '--token', TOKEN], env: notify.env });
    try {
      await openApp(page, host.url);
      await expect(page.getByRole('status', { name: 'Platform link' })).toContainText('Online', { timeout: 20_000 });
      await gw.stop();
      await expect(page.getByRole('status', { name: 'Platform link' })).not.toContainText('Online', { timeout: 60_000 });
      await nav(page, 'Checklists');
      await page.getByRole('button', { name: 'Run shift self-check' }).click();
      const run = page.getByRole('region', { name: 'Shift self-check' });
      await expect(run.getByRole('status', { name: 'Result' })).toHaveAttribute('data-result', 'red');

      // Evaluated without the platform: the desk itself works, and what was cached before the outage is
      // still read (the console signed in and synced before the platform went away).
      await expect(step(page, 'A test notification appears on this desktop')).toHaveAttribute('data-state', 'done');
      await expect(step(page, /Cached alerts, dashboards and runbooks/)).toHaveAttribute('data-state', 'done');
      await expect(step(page, 'Roster synced within the last hour')).toHaveAttribute('data-state', 'done');

      // Failing items come first.
      const states = await run.locator('ol > li[data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
      const firstNotFailed = states.findIndex((s) => s !== 'failed');
      expect(states.slice(firstNotFailed)).not.toContain('failed');

      await expect(step(page, 'Platform link is online')).toHaveAttribute('data-state', 'failed');
      await expect.poll(() => notify.calls().map((c) => c.summary)).toContain('Vigil test notification');
    } finally {
      await host.proc.stop();
      await gw.stop();
      await notify.stop();
    }
  });
});

test('war-room: declare through the decision tree, roles, minutes, status update, close, postmortem', async ({ app, context }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await nav(app, 'Incidents');
  await app.getByRole('button', { name: 'Declare incident' }).click();
  const form = app.getByRole('form', { name: 'Declare an incident' });
  await form.getByRole('textbox', { name: 'Title' }).fill('Ozon orders arrive late');
  await form.getByRole('radiogroup', { name: 'Is the service completely unavailable?' }).getByRole('radio', { name: 'No' }).check();
  await form.getByRole('radiogroup', { name: 'Is a core function affected?' }).getByRole('radio', { name: 'Yes' }).check();
  await expect(form.getByRole('status')).toHaveText('Proposed severity: P1');
  await expect(form.getByRole('radiogroup', { name: 'Is the user experience degraded?' })).toHaveCount(0);
  await form.getByRole('textbox', { name: /Impact/ }).fill('Orders of every Ozon shop');
  // link the first firing alert of the demo gateway
  const pick = form.getByRole('checkbox').first();
  const linkedName = (await pick.locator('xpath=following-sibling::label//strong').textContent())!;
  await pick.check();
  await form.getByRole('button', { name: 'Declare' }).click();

  const war = app.getByRole('region', { name: /INC-\d{8}-[0-9A-F]{4}: Ozon orders arrive late/ });
  await expect(war).toBeVisible();
  await expect(war.getByRole('timer', { name: 'Response target' })).toContainText('left');
  // the embedded demo gateway signs in the OS user: the incident is declared by them
  const me = /Signed in as (.+) \(admin\)/.exec((await app.getByRole('status', { name: 'Who is signed in' }).textContent()) ?? '')![1];
  await expect(war.getByRole('list', { name: 'Timeline (minutes)' })).toContainText(`Incident declared as P1 by ${me}`);
  // issue #18: the incident page names its alerts instead of listing fingerprint hashes
  await expect(war.getByRole('list', { name: 'Linked alerts' })).toContainText(linkedName);
  await expect(war.getByRole('list', { name: 'Linked alerts' })).not.toContainText(/\b[0-9a-f]{16}\b/);

  // roles go to people the platform or the roster knows
  const roles = war.getByRole('form', { name: 'Roles' });
  await roles.getByRole('combobox', { name: 'Incident commander' }).click();
  await app.getByRole('option', { name: 'Mei Lin' }).click();
  await roles.getByRole('combobox', { name: 'Tech lead' }).click();
  await app.getByRole('option', { name: 'Tomas Ek' }).click();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  const timeline = war.getByRole('list', { name: 'Timeline (minutes)' });
  await expect(timeline).toContainText('Incident commander: Mei Lin');
  await expect(timeline).toContainText('Tech lead: Tomas Ek');

  // change freeze
  // the box follows the stored incident, so it turns on once the core has recorded the change
  await war.getByRole('checkbox', { name: 'Change freeze' }).click();
  await expect(war.getByRole('checkbox', { name: 'Change freeze' })).toBeChecked();
  await expect(timeline).toContainText('Change freeze switched on');

  // minutes
  await war.getByRole('textbox', { name: 'Entry', exact: true }).fill('Ozon answers 429 since 08:50');
  await war.getByRole('button', { name: 'Add to timeline' }).click();
  await expect(timeline).toContainText('Ozon answers 429 since 08:50');
  await choose(war.getByRole('combobox', { name: 'Entry type' }), 'Decision');
  await war.getByRole('textbox', { name: 'Entry', exact: true }).fill('Roll back release 2026.01.05');
  await war.getByRole('button', { name: 'Add to timeline' }).click();
  await expect(timeline).toContainText('Roll back release 2026.01.05');

  // status update from the template, edited, copied and sent
  const status = war.getByRole('form', { name: 'Status update' });
  await status.getByRole('textbox', { name: 'ETA' }).fill('10:30');
  const text = status.getByRole('textbox', { name: 'Message text' });
  await expect(text).toHaveValue(/P1 incident INC-.*\nTitle: Ozon orders arrive late\nImpact: Orders of every Ozon shop\nStatus: investigating\nOwner: Mei Lin\nETA: 10:30/);
  await text.fill(`${await text.inputValue()}\nNext update in 30 min`);
  await status.getByRole('button', { name: 'Copy' }).click();
  await expect(toast(app, 'Copied to the clipboard')).toBeVisible();
  expect(await app.evaluate(() => navigator.clipboard.readText())).toContain('Next update in 30 min');
  await status.getByRole('button', { name: 'Send to the incident channels' }).click();
  await expect(timeline).toContainText('Next update in 30 min');
  // the demo gateway does not page: the timeline says where the update went (nowhere), not "queued" forever
  await expect(timeline).toContainText('Status update (start) to the incident channels: the platform does not send messages (paging is off)');
  await expect(war.getByRole('timer', { name: 'Response target' })).toContainText('met at');

  // the war-room checklists came with the incident
  await expect(war.getByRole('region', { name: 'War-room', exact: true })).toBeVisible();
  await expect(war.getByRole('region', { name: 'Incident response flow (8 steps)' })).toBeVisible();

  await app.screenshot({ path: testInfo.outputPath('war-room.png'), fullPage: true });

  // close with a review; the postmortem follows the handbook template
  await war.getByRole('button', { name: 'Close incident…' }).click();
  const close = war.getByRole('form', { name: 'Close the incident and write the postmortem' });
  await close.getByRole('textbox', { name: 'Root cause' }).fill('Release halved the pull timeout; Ozon throttled the retries.');
  await close.getByRole('textbox', { name: /What went well/ }).fill('Alert within 2 minutes\nRollback in 6 minutes');
  await close.getByRole('button', { name: 'Add action item' }).click();
  await close.getByRole('textbox', { name: 'Action item 1' }).fill('Exponential backoff on order pulls');
  await close.getByRole('textbox', { name: 'Owner 1' }).fill('Zhang San');
  await close.getByRole('button', { name: 'Close and write postmortem' }).click();

  const pm = war.getByRole('article', { name: 'Postmortem' });
  await expect(pm.getByRole('heading', { name: /^Incident review INC-.*: Ozon orders arrive late/ })).toBeVisible();
  for (const h of ['Basic information', 'Timeline', 'Root cause', 'Impact analysis', 'What went well', 'What to improve', 'Action items'])
    await expect(pm.getByRole('heading', { name: h, exact: true })).toBeVisible();
  await expect(pm.getByRole('table')).toContainText('Exponential backoff on order pulls');
  await expect(pm).toContainText('Roll back release 2026.01.05');
  await choose(war.getByRole('combobox', { name: 'Language' }), '简体中文');
  await expect(pm.getByRole('heading', { name: '根本原因' })).toBeVisible();
  await expect(app.getByRole('list', { name: 'Closed incidents' })).toContainText('Ozon orders arrive late');
  // the linked alert is named (with its key labels) in the postmortem, its fingerprint only a detail
  await expect(pm).toContainText(linkedName);

  // closed: read-only, led by the postmortem; reopening is explicit and asks why
  await expect(war.getByRole('button', { name: 'Add to timeline' })).toHaveCount(0);
  await expect(war.getByRole('form', { name: 'Roles' })).toHaveCount(0);
  await expect(war.getByRole('button', { name: 'Done' })).toHaveCount(0);
  await expect(war.getByRole('region', { name: 'War-room', exact: true }).getByRole('status', { name: 'Result' })).toContainText('Left unfinished when the incident closed');
  await war.getByRole('button', { name: 'Reopen…' }).click();
  const reopen = app.getByRole('dialog', { name: /Reopen INC-/ });
  await reopen.getByRole('textbox', { name: 'Why is it reopened?' }).fill('Ozon throttles again');
  await reopen.getByRole('button', { name: 'Reopen incident' }).click();
  await expect(war.getByRole('list', { name: 'Timeline (minutes)' })).toContainText('Incident reopened: Ozon throttles again');
  await expect(war.getByRole('button', { name: 'Add to timeline' })).toBeVisible();
});

/**
 * The shared team token (small-team mode): it proves no name, so the console takes the typed one and every
 * record marks it "(shared token)" — Settings says so. Two people on one desk each type their name; the
 * handover still goes from one to the other. (With personal tokens the person comes from the sign-in:
 * identity.spec.ts.)
 */
test('handover with the shared token: submitted by one typed name, signed by another, both marked unverified', async ({ page, dataDir }) => {
  const gw = await startWorldGateway(dataDir);
  const host = await launchHost({ dataDir: path.join(dataDir, 'console'), args: ['--platform', gw.match[1], '--token', TOKEN] });
  try {
    const app = page;
    await openApp(app, host.url);
    await expect(app.getByRole('status', { name: 'Platform link' })).toContainText('Online', { timeout: 20_000 });
    const setOperator = async (name: string) => {
      await nav(app, 'Settings');
      await expect(app.getByRole('group', { name: 'Account' })).toContainText('Names are not verified');
      await app.getByRole('textbox', { name: 'Your name (used only with the shared token; not verified)' }).fill(name);
      await app.getByRole('button', { name: 'Save' }).click();
      await expect(app.getByText('Settings saved').first()).toBeVisible();
    };
    // nothing proves who is at the desk: before anything is recorded as "on-call", the console asks
    const who = app.getByRole('region', { name: 'Who are you?' });
    await expect(who).toContainText('recorded as “on-call”');
    await who.getByRole('button', { name: 'Use this name' }).click();
    await expect(who.getByRole('alert')).toHaveText('Type your own name (not a role).');
    await who.getByRole('textbox', { name: 'Your name' }).fill('Li Wei');
    await who.getByRole('button', { name: 'Use this name' }).click();
    await expect(who).toBeHidden();
    await expect(app.getByRole('status', { name: 'Who is signed in' })).toHaveText('Li Wei (shared token, not verified)');
    await nav(app, 'Handover');
    const form = app.getByRole('form', { name: 'This shift, drafted from local history' });
    await expect(form.getByRole('region', { name: /Still firing/ })).toBeVisible();
    await form.getByRole('combobox', { name: 'Incoming engineer' }).fill('Zhang San');
    await form.getByRole('textbox', { name: 'Notes for the next shift' }).fill('Ozon throttles after 22:00; retries are spaced to 60 s.');
    await form.getByRole('textbox', { name: 'Watch out for' }).fill('Release-bot silence ends at 14:00');
    await form.getByRole('button', { name: 'Add watch item' }).click();
    await form.getByRole('button', { name: 'Submit handover as Li Wei (shared token)' }).click();
    await expect(toast(app, 'Handover submitted and queued for the platform')).toBeVisible();

    const history = app.getByRole('region', { name: 'Handover history' });
    await expect(history.getByRole('button', { name: /Li Wei \(shared token\) → Zhang San · waiting for signature/ })).toBeVisible();
    await expect(history.getByText('You handed this shift over')).toBeVisible();

    await setOperator('Zhang San');
    await nav(app, 'Handover');
    const record = history.getByRole('article', { name: /Handover by Li Wei \(shared token\)/ });
    await expect(record).toContainText('Release-bot silence ends at 14:00');
    await record.getByRole('textbox', { name: 'Sign-off note' }).fill('Read; will watch Ozon.');
    await record.getByRole('button', { name: 'Sign as Zhang San (shared token)' }).click();
    // once signed, the record names who signed (as typed, marked)
    await expect(history.getByRole('button', { name: /Li Wei \(shared token\) → Zhang San \(shared token\) · signed/ })).toBeVisible();
    await expect(record.getByRole('status')).toContainText('Signed by Zhang San (shared token)');

    await history.getByRole('searchbox', { name: 'Search handovers' }).fill('throttles');
    await expect(history.getByRole('button', { name: /Li Wei \(shared token\) → Zhang San/ })).toBeVisible();
    await history.getByRole('searchbox', { name: 'Search handovers' }).fill('nothing like this');
    await expect(history.getByText('No handover matches.')).toBeVisible();
  } finally {
    await host.proc.stop();
    await gw.stop();
  }
});
