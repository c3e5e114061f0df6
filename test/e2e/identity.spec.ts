/**
 * Who is signed in, end to end and in zh-CN: a real gateway process with personal tokens (no shared token),
 * its people added with the real `gateway users add` command; two browser hosts as users run them.
 * - 张三's console is started against the platform with no token: its first launch asks him to sign in,
 *   and the status bar then shows him;
 * - 李四's console starts on the built-in demo (signed in as the OS user, no setup) and signs in to the
 *   platform from Settings, typing the address and his token;
 * - 张三 submits a handover; 李四 signs it; both consoles show who handed over and who signed;
 * - 李四 signs out; 王五, a viewer, signs in on the same console: the actions he cannot take stay visible,
 *   disabled, with the reason.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startProcess, type Started } from '../services/processes';
import { tempDir } from '../helpers/tmp';
import { expect, launchHost, OUT_DIR, openApp, test, toast, type HostHandle } from './fixtures';

const GATEWAY = path.join(OUT_DIR, 'main/gateway.js');

/** `npm run gateway -- users add …` as an admin runs it; the token is the last line printed */
function addPerson(dataDir: string, login: string, name: string, role: string): string {
  const out = execFileSync(
    process.execPath,
    [GATEWAY, 'users', 'add', login, '--name', name, '--role', role, '--data-dir', dataDir],
    {
      encoding: 'utf8',
    },
  );
  const last = out.trim().split('\n').at(-1)!;
  expect(last).toMatch(/^token: vgl_/);
  return last.slice('token: '.length);
}

test.describe('signing in (zh-CN)', () => {
  test.use({ locale: 'zh-CN' });

  let gw: Started & { url: string };
  const dirs: { cleanup(): void }[] = [];
  const hosts: HostHandle[] = [];
  let tokens: { zhang: string; li: string; wang: string };

  test.beforeAll(async () => {
    const d = tempDir('vigil-e2e-id-gw-');
    dirs.push(d);
    tokens = {
      zhang: addPerson(d.dir, 'zhangsan', '张三', 'responder'),
      li: addPerson(d.dir, 'lisi', '李四', 'responder'),
      wang: addPerson(d.dir, 'wangwu', '王五', 'viewer'),
    };
    const p = await startProcess(process.execPath, [GATEWAY, '--source', 'demo', '--port', '0', '--data-dir', d.dir], {
      env: process.env,
      ready: /Vigil gateway listening on (\S+)/,
      timeoutMs: 30_000,
    });
    gw = Object.assign(p, { url: p.match[1] });
  });
  test.afterAll(async () => {
    for (const h of hosts) await h.proc.stop();
    await gw?.stop();
    dirs.forEach((d) => d.cleanup());
  });

  async function host(args: string[]): Promise<HostHandle> {
    const d = tempDir('vigil-e2e-id-host-');
    dirs.push(d);
    const h = await launchHost({ dataDir: d.dir, args: ['--lang', 'zh-CN', ...args] });
    hosts.push(h);
    return h;
  }
  const who = (page: Page) => page.getByRole('status', { name: '当前登录人' });
  const nav = (page: Page, view: string) =>
    page.getByRole('navigation', { name: '主导航' }).getByRole('button', { name: view }).click();

  test('first-launch sign-in, the person in the status bar, and a handover submitted by one person and signed by another', async ({
    browser,
  }) => {
    test.setTimeout(150_000);
    // 张三: the console is pointed at the platform and has no token — its first launch asks him to sign in
    const hostA = await host(['--platform', gw.url]);
    const a = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await openApp(a, hostA.url);
    const dialog = a.getByRole('dialog', { name: '登录平台' });
    await expect(dialog).toBeVisible({ timeout: 20_000 });
    await expect(dialog.getByLabel('网关地址')).toHaveValue(gw.url);
    // the banner behind the dialog says why (the modal dialog hides the page from assistive tech while open)
    await expect(a.getByRole('alert', { includeHidden: true }).filter({ hasText: '你已退出平台登录' })).toBeVisible();
    // a wrong token is refused with the reason, and nothing is kept
    await dialog.getByLabel('个人令牌').fill(tokens.zhang.slice(0, -4) + 'AAAA');
    await dialog.getByRole('button', { name: '登录', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('网关不认识该令牌');
    await dialog.getByLabel('个人令牌').fill(tokens.zhang);
    await dialog.getByRole('button', { name: '登录', exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 20_000 });
    await expect(who(a)).toHaveText('已登录：张三（值班响应者）', { timeout: 20_000 });
    await expect(a.getByRole('status', { name: '平台连接' })).toContainText('在线', { timeout: 20_000 });

    // 李四: a first launch on the built-in demo needs no setup — the OS user is signed in
    const hostB = await host([]);
    const b = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await openApp(b, hostB.url);
    await expect(who(b)).toContainText(`已登录：`, { timeout: 20_000 });
    await expect(who(b)).toContainText('管理员');
    expect(await who(b).textContent()).toContain(os.userInfo().username === 'root' ? 'root' : '');
    // …then signs in to the team's platform from Settings, typing the address and his token
    await nav(b, '设置');
    await b.getByRole('group', { name: '账户' }).getByRole('button', { name: '登录其他平台…' }).click();
    const signIn = b.getByRole('dialog', { name: '登录平台' });
    await signIn.getByLabel('网关地址').fill(gw.url);
    await signIn.getByLabel('个人令牌').fill(tokens.li);
    await signIn.getByRole('button', { name: '登录', exact: true }).click();
    await expect(signIn).toBeHidden({ timeout: 20_000 });
    await expect(who(b)).toHaveText('已登录：李四（值班响应者）', { timeout: 20_000 });
    await expect(b.getByRole('group', { name: '账户' })).toContainText('已登录：李四（值班响应者），使用个人令牌。');

    // 张三 hands over
    await nav(a, '交接班');
    await a.getByLabel('给下一班的说明').fill('订单拉取延迟偏高，请继续观察 ozon 店铺');
    // keyboard, not the mouse: the demo's alert toasts may sit over the bottom of the page
    await a.getByRole('button', { name: '以 张三 的身份提交交接' }).press('Enter');
    await expect(toast(a, '交接记录已提交，并排队发送到平台')).toBeVisible();

    // 李四 signs it on his console; he cannot be the one who handed over
    await nav(b, '交接班');
    const record = b.getByRole('article', { name: /张三 的交接/ });
    await expect(record).toBeVisible({ timeout: 30_000 });
    await record.getByRole('button', { name: '以 李四 的身份签收' }).press('Enter');
    await expect(record.getByRole('status')).toContainText('李四 于', { timeout: 20_000 });

    // 张三's console learns who signed, from the platform
    await expect(a.getByRole('article', { name: /张三 的交接/ }).getByRole('status')).toContainText('李四 于', {
      timeout: 30_000,
    });
    await expect(a.getByRole('article', { name: /张三 的交接/ }).getByRole('button', { name: /签收/ })).toHaveCount(0);

    // 李四 signs out; a viewer signs in at the same console: what he cannot do is disabled, with the reason
    await nav(b, '设置');
    await b.getByRole('group', { name: '账户' }).getByRole('button', { name: '退出登录' }).click();
    // the sign-in dialog opens at once; the page behind it (hidden from assistive tech while it is open) says who left
    await expect(b.getByRole('status', { name: '当前登录人', includeHidden: true })).toHaveText('已退出登录', { timeout: 20_000 });
    await expect(b.getByRole('alert', { includeHidden: true }).filter({ hasText: '李四 已退出登录。' })).toBeVisible();
    const again = b.getByRole('dialog', { name: '登录平台' });
    await expect(again).toBeVisible();
    await again.getByLabel('个人令牌').fill(tokens.wang);
    await again.getByRole('button', { name: '登录', exact: true }).click();
    await expect(who(b)).toHaveText('已登录：王五（只读观察者）', { timeout: 20_000 });
    await nav(b, '告警');
    const ack = b.getByRole('toolbar', { name: '操作' }).getByRole('button', { name: '确认', exact: true });
    await expect(ack).toBeDisabled();
    await expect(ack).toHaveAccessibleDescription('王五 在此平台是只读观察者：此操作需要值班响应者角色。');
  });
});
