/**
 * A page reaches the paged person's own Vigil, end to end: a real gateway process pages from a roster whose
 * people sign in with their own tokens (added with the real `gateway users add`), a real Alertmanager fires
 * the alert, and two browser hosts run as two people:
 * - 张三 (first line) presses `e` in his console; the toast names 李四, says the page reached 李四's console
 *   and went out on the DingTalk robot (a real loopback receiver checking DingTalk's signature);
 * - 李四's host runs in a desktop notification session (Xvfb + D-Bus + dunst): the page shows there as a
 *   critical native notification (urgency byte 2 in the Notify call on the bus), and only there;
 * - the level's Slack webhook was removed (Slack answers 404 `no_service`): the roster view lists it under
 *   "Pages that did not arrive" with Slack's answer.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { startAlertmanager, type AlertmanagerHarness } from '../services/alertmanager';
import { startReceiver, type Receiver } from '../services/im-receivers';
import { missingBinaries, startNotifySession, type NotifySession } from '../services/notify-session';
import { expect, launchHost, OUT_DIR, openApp, test, type HostHandle } from './fixtures';

const GATEWAY = path.join(OUT_DIR, 'main/gateway.js');
const DING_SECRET = 'SECe2epaging456789abcdef0123456789abcdef0123456789abcdef01234567';

/** `gateway users add` as an admin runs it; the token is the last line printed */
function addPerson(dataDir: string, login: string, name: string): string {
  const out = execFileSync(process.execPath, [GATEWAY, 'users', 'add', login, '--name', name, '--role', 'responder', '--data-dir', dataDir], { encoding: 'utf8' });
  return out.trim().split('\n').at(-1)!.replace(/^token: /, '');
}

/** level 1 reaches 张三 at once; level 2 (李四, also on DingTalk) only when someone presses `e` */
const rosterYaml = (dingUrl: string, slackUrl: string) => `id: e2e-paging
name: E2E paging
people:
  - { id: zhangsan, name: 张三, login: zhangsan, phone: "+86 131 5550 0101" }
  - { id: lisi, name: 李四, login: lisi, phone: "+86 131 5550 0102" }
teams:
  - { id: e2e, name: E2E team, members: [zhangsan, lisi] }
channels:
  - { id: e2e-dingtalk, type: dingtalk, language: en, url: "${dingUrl}/robot/send?access_token=E2E", secretEnv: VIGIL_E2E_DING_SECRET }
  # a Slack webhook that was removed in Slack: it answers 404 no_service, which is final
  - { id: e2e-slack, type: slack, language: en, url: "${slackUrl}/services/T0/B0/REMOVED" }
policies:
  - id: p1
    name: E2E P1
    match: { severity: P1, teams: [e2e] }
    remindMinutes: 0
    levels:
      - { name: first line, afterMinutes: 0, targets: [{ person: zhangsan }] }
      - { name: second line, afterMinutes: 600, targets: [{ person: lisi }], channels: [e2e-dingtalk, e2e-slack] }
`;

test.describe('a page reaches the paged person', () => {
  const missing = missingBinaries();
  // under CI a missing binary is a broken setup, not a reason to skip
  if (!process.env.CI) test.skip(missing.length > 0, `needs ${missing.join(', ')}`);

  let am: AlertmanagerHarness | null = null;
  let gateway: (Started & { match: RegExpMatchArray }) | null = null;
  let ding: Receiver | null = null;
  let slack: Receiver | null = null;
  let session: NotifySession | null = null;
  const hosts: HostHandle[] = [];
  const tmp = tempDir('vigil-e2e-paging-');

  test.afterAll(async () => {
    for (const h of hosts) await h.proc.stop();
    await gateway?.stop();
    await am?.stop();
    await ding?.close();
    await slack?.close();
    await session?.stop();
    tmp.cleanup();
  });

  test("e pages 李四: 张三 is told where it went, 李四's desktop shows a critical notification", async ({ browser }) => {
    test.setTimeout(150_000);
    expect(missing, 'the notification session needs these binaries').toEqual([]);
    am = await startAlertmanager();
    ding = await startReceiver('dingtalk', { token: 'E2E', secret: DING_SECRET });
    slack = await startReceiver('slack', { token: 'T0/B0/LIVE' });
    session = await startNotifySession();
    const gwData = path.join(tmp.dir, 'gateway');
    fs.mkdirSync(gwData);
    const tokens = { zhang: addPerson(gwData, 'zhangsan', '张三'), li: addPerson(gwData, 'lisi', '李四') };
    const rosterFile = path.join(tmp.dir, 'roster.yaml');
    fs.writeFileSync(rosterFile, rosterYaml(ding.url, slack.url));
    gateway = await startProcess(
      process.execPath,
      [GATEWAY, '--source', 'alertmanager', '--alertmanager-url', am.url, '--roster', rosterFile, '--port', '0', '--data-dir', gwData, '--poll-interval', '300'],
      { env: { ...process.env, VIGIL_E2E_DING_SECRET: DING_SECRET }, ready: /Vigil gateway listening on (ws:\/\/\S+)/, timeoutMs: 30_000 },
    );
    const wsUrl = gateway.match[1];
    // each person's console signs in with their own token (from the environment, as the docs advise)
    const zhangHost = await launchHost({ dataDir: path.join(tmp.dir, 'zhang'), args: ['--platform', wsUrl], env: { VIGIL_PLATFORM_TOKEN: tokens.zhang } });
    hosts.push(zhangHost);
    const liHost = await launchHost({ dataDir: path.join(tmp.dir, 'li'), args: ['--platform', wsUrl], env: { VIGIL_PLATFORM_TOKEN: tokens.li, ...session.env } });
    hosts.push(liHost);
    const zhang = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await openApp(zhang, zhangHost.url);
    const li = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await openApp(li, liHost.url);
    await expect(zhang.getByRole('status', { name: 'Who is signed in' })).toContainText('张三', { timeout: 30_000 });
    await expect(li.getByRole('status', { name: 'Who is signed in' })).toContainText('李四', { timeout: 30_000 });

    await am.postAlerts([{ labels: { alertname: 'E2EPagedPerson', severity: 'critical', team: 'e2e' }, annotations: { summary: 'orders stuck' } }]);
    await zhang.getByRole('grid', { name: 'Alerts' }).getByRole('row', { name: /^Select E2EPagedPerson P1/ }).click({ timeout: 30_000 });
    const paged = zhang.getByRole('complementary', { name: 'Alert details' }).getByRole('region', { name: 'Paged by the gateway' });
    await expect(paged).toContainText('Level 1 first line', { timeout: 30_000 });

    // 张三 presses e: the toast names the person, where the page reached them, and the channel
    await zhang.keyboard.press('e');
    const toast = zhang.getByRole('status').filter({ hasText: 'E2EPagedPerson: paged level 2 second line' });
    await expect(toast).toContainText("Paged 李四 (delivered to 李四's console) · on e2e-dingtalk, e2e-slack", { timeout: 30_000 });
    await expect(paged.getByRole('list', { name: 'Deliveries of level 2' })).toContainText('e2e-dingtalk (dingtalk): delivered', { timeout: 30_000 });

    // 李四's desktop: one critical Notify call for the page, on the bus the OS notification daemon reads
    const pageCalls = () => session!.calls().filter((c) => c.summary.includes('You are paged') && c.summary.includes('E2EPagedPerson'));
    await expect.poll(() => pageCalls().length, { timeout: 30_000 }).toBe(1);
    expect(pageCalls()[0].urgency).toBe(2);
    expect(pageCalls()[0].body).toContain('escalated by 张三');
    // the DingTalk robot got level 2's message, signed as DingTalk documents (the receiver checks the sign)
    await expect.poll(() => ding!.delivered().length, { timeout: 30_000 }).toBe(1);

    // the Slack message did not arrive: the roster view lists it with Slack's answer, and links to the alert
    await zhang.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Roster' }).click();
    const failed = zhang.getByRole('list', { name: 'Pages that did not arrive' }).getByRole('listitem').filter({ hasText: 'E2EPagedPerson' });
    await expect(failed).toContainText('Level 2 second line on e2e-slack (slack)', { timeout: 30_000 });
    await expect(failed).toContainText('gave up after 1 try');
    await expect(failed).toContainText('The provider answered: HTTP 404: no_service');
    await failed.scrollIntoViewIfNeeded();
    await zhang.screenshot({ path: path.join('test-results', 'screenshots', 'roster-undelivered.en.png') });
    await failed.getByRole('button', { name: 'E2EPagedPerson' }).click();
    await expect(zhang.getByRole('complementary', { name: 'Alert details' })).toContainText('E2EPagedPerson');
  });
});
