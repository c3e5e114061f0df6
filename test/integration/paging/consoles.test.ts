/**
 * Pages reach the person's own Vigil: a real gateway pages from a roster whose people sign in with their own
 * tokens; real cores (the desktop app's and the browser host's) sign in as 张三 and 李四.
 * - the level that reaches 张三 raises a critical, sticky notification on 张三's console only, once;
 * - 张三 presses `e`: the gateway pages the next level (李四) at once; 李四's console raises the notification,
 *   the gateway records it as delivered to 李四's console and sends the DingTalk message (a real loopback
 *   receiver), and 张三's console is told who was paged and where (`pageChanged`, and `gatewayPage` for the
 *   detail pane).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkState } from '@shared/domain';
import type { PageLadder } from '@shared/paging';
import { RosterDocumentSchema } from '@shared/roster';
import { startGateway, type Gateway } from '@gateway/server';
import { runUsers } from '@gateway/users-cli';
import { createCore, type Core } from '@core';
import { MemoryNotifier } from '@core/notifier';
import { MemorySecretStore } from '@core/secrets';
import { silentLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { startReceiver, type Receiver } from '@test/services/im-receivers';
import { alert, call, testSource } from '../link/helpers';

const SECRET = 'SECconsoles0123456789abcdef0123456789abcdef0123456789abcdef01234';
let gw: Gateway;
let gwData = '';
let ding: Receiver;
const dirs: { cleanup(): void }[] = [];
const cores: Core[] = [];

async function users(dir: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  await runUsers([...args, '--data-dir', dir], { out: (l) => out.push(l), by: 'cli:test' });
  return out.at(-1)!.replace(/^token: /, '');
}

async function consoleAs(token: string): Promise<{ core: Core; notifier: MemoryNotifier; events: { name: string; payload: unknown }[] }> {
  const d = tempDir('vigil-page-console-');
  dirs.push(d);
  const notifier = new MemoryNotifier();
  const core = createCore({ dataDir: d.dir, transport: 'browser', secrets: new MemorySecretStore(), log: silentLogger, platform: {}, notifier });
  cores.push(core);
  const events: { name: string; payload: unknown }[] = [];
  core.on((name, payload) => events.push({ name: String(name), payload }));
  const r = await call<{ ok: boolean }>(core, 'linkSignIn', { url: gw.url, token });
  expect(r.ok).toBe(true);
  await until(async () => (await call<LinkState>(core, 'linkState')).status === 'online', 'online');
  return { core, notifier, events };
}

beforeAll(async () => {
  ding = await startReceiver('dingtalk', { token: 'T', secret: SECRET });
  const gwDir = tempDir('vigil-page-gw-');
  dirs.push(gwDir);
  gwData = gwDir.dir;
  const doc = RosterDocumentSchema.parse({
    people: [
      { id: 'zhangsan', name: '张三', phone: '+86 131 5550 0101' },
      { id: 'lisi', name: '李四', phone: '+86 131 5550 0102' },
    ],
    channels: [{ id: 'sre-dingtalk', type: 'dingtalk', url: `${ding.url}/robot/send?access_token=T`, secretEnv: 'DING' }],
    policies: [
      {
        id: 'p1',
        name: 'SRE P1',
        match: { severity: 'P1' },
        levels: [
          { name: 'on call', afterMinutes: 0, targets: [{ person: 'zhangsan' }] },
          { name: 'second line', afterMinutes: 60, targets: [{ person: 'lisi' }], channels: ['sre-dingtalk'] },
        ],
      },
    ],
  });
  const src = testSource([{ kind: 'alert.upsert', data: alert(1) }]);
  // the people exist before the gateway runs: roster ids are their logins
  await users(gwDir.dir, 'add', 'zhangsan', '--name', '张三', '--role', 'responder');
  await users(gwDir.dir, 'add', 'lisi', '--name', '李四', '--role', 'responder');
  gw = await startGateway({ source: src, dataDir: gwDir.dir, port: 0, log: silentLogger, paging: { roster: () => ({ id: 'sre', name: 'SRE', doc }), env: { DING: SECRET } } });
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await gw?.close();
  await ding?.close();
  for (const d of dirs) d.cleanup();
});

describe("pages reach the person's own console", () => {
  it("notifies the paged person only; `e` pages the next level on its channels and tells the one who pressed it", async () => {
    const zhang = await consoleAs(await users(gwData, 'token', 'zhangsan'));
    const li = await consoleAs(await users(gwData, 'token', 'lisi'));

    const mine = await until(() => zhang.notifier.sent.find((n) => n.tag === 'page:fp000001'), "张三's page");
    expect(mine).toMatchObject({ urgency: 'critical', sticky: true, fingerprint: 'fp000001', title: 'You are paged: P1 OrdersPullFailing' });
    expect(li.notifier.sent.filter((n) => n.tag.startsWith('page:'))).toEqual([]);

    await call(zhang.core, 'alertEscalate', ['fp000001'], {});
    const liPage = await until(() => li.notifier.sent.find((n) => n.tag === 'page:fp000001'), "李四's page");
    expect(liPage).toMatchObject({ urgency: 'critical', sticky: true });
    expect(liPage.body).toContain('Level 2/2 second line, escalated by 张三');

    const told = await until(
      () => zhang.events.find((e) => e.name === 'pageChanged' && (e.payload as { paged: { level: number } | null }).paged?.level === 2),
      'pageChanged for level 2',
    );
    expect(told.payload).toMatchObject({
      fingerprint: 'fp000001',
      paged: { level: 2, name: 'second line', by: '张三', people: [{ name: '李四', console: 'delivered' }], channels: ['sre-dingtalk'] },
    });
    await until(() => ding.delivered().length === 1, 'the DingTalk message');
    const ladder = await until(async () => {
      const l = await call<PageLadder | null>(zhang.core, 'gatewayPage', 'fp000001');
      return l?.steps[1]?.deliveries[0]?.state === 'sent' ? l : null;
    }, 'the delivery result at the console');
    expect(ladder.steps.map((s) => [s.level, s.by, s.people.map((p) => p.console)])).toEqual([
      [1, null, [expect.stringMatching(/delivered|not_connected/)]],
      [2, '张三', ['delivered']],
    ]);
    expect(ladder.next).toBeNull();
    // each console notified once for its own level
    expect(zhang.notifier.sent.filter((n) => n.tag === 'page:fp000001')).toHaveLength(1);
    expect(li.notifier.sent.filter((n) => n.tag === 'page:fp000001')).toHaveLength(1);
  });
});
