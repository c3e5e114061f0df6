/**
 * Paging end to end against a real Alertmanager 0.25 (test/services/alertmanager.ts), with a seconds-long
 * policy (afterMinutes in fractions) whose levels page on three different channels, each a real loopback
 * receiver that checks the vendor's request (test/services/im-receivers.ts):
 * - the levels fire in order on their own channels, and an ack from a console (a silence in Alertmanager)
 *   stops the ladder before the last level;
 * - the gateway as a real process (out/main/gateway.js), killed with SIGKILL mid-ladder and started again on
 *   the same data dir, resumes: the next levels are paged once each and no level is paged twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtApp, nodeEnv } from '@test/chaos/procs';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { PageLadderSchema } from '@shared/paging';
import { startGateway, type Gateway } from '@gateway/server';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import { readRosterFile } from '@gateway/sources/content';
import { silentLogger } from '@node/log';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { signalGroup } from '@test/services/common';
import { startReceiver, type Receiver } from '@test/services/im-receivers';
import { startProcess, type Started } from '@test/services/processes';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { Client, TOKEN } from '../link/helpers';
import { secondsRosterFile } from './seconds-roster';

const DING_SECRET = 'SECaaaabbbbccccddddeeeeffff00001111222233334444555566667777888899';

let am: AlertmanagerHarness;
let ding: Receiver;
let slack: Receiver;
let voice: Receiver;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  am = await startAlertmanager();
  ding = await startReceiver('dingtalk', { token: 'L1TOKEN', secret: DING_SECRET });
  slack = await startReceiver('slack', { token: 'T1/B1/L2' });
  voice = await startReceiver('webhook', { token: 'voice', secret: 'voice-key', webhookKeys: ['to', 'alert'] });
});
afterAll(async () => {
  await Promise.all([am?.stop(), ding?.close(), slack?.close(), voice?.close()]);
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** a roster whose levels come `step` minutes apart: L1 DingTalk, L2 Slack, L3 a voice webhook */
function rosterFile(dir: string, run: string, stepMinutes: number): string {
  return secondsRosterFile(dir, {
    run,
    stepMinutes,
    channels: [
      { id: 'sre-dingtalk', type: 'dingtalk', url: `${ding.url}/robot/send?access_token=L1TOKEN`, secretEnv: 'VIGIL_TEST_DING_SECRET' },
      { id: 'sre-slack', type: 'slack', url: `${slack.url}/services/T1/B1/L2`, language: 'en' },
      { id: 'voice', type: 'webhook', url: `${voice.url}/voice`, secretEnv: 'VIGIL_TEST_VOICE_KEY', headers: { Authorization: 'Bearer {{secret}}' }, body: { to: '{{phone}}', alert: '{{alert}}' } },
    ],
    levels: ['sre-dingtalk', 'sre-slack', 'voice'],
  });
}

const ENV = { VIGIL_TEST_DING_SECRET: DING_SECRET, VIGIL_TEST_VOICE_KEY: 'voice-key' };
const textOf = (r: Receiver, run: string) => r.delivered().filter((q) => q.body.includes(run));

describe('gateway paging with a real Alertmanager', () => {
  it('pages the levels in order on their channels, and an ack from a console stops the ladder', async () => {
    const run = uuidv7().slice(-12);
    const { dir, cleanup } = tempDir('vigil-page-am-');
    cleanups.push(cleanup);
    const file = rosterFile(dir, run, 0.05); // 3 s apart
    const source = createAlertmanagerSource({ alertmanagerUrl: am.url, pollIntervalMs: 300, requestTimeoutMs: 3000, rosterFile: file, warn: () => {} });
    const roster = readRosterFile(file, ENV);
    const gw: Gateway = await startGateway({ source, token: TOKEN, dataDir: dir, port: 0, log: silentLogger, paging: { roster: () => roster, env: ENV, tickMs: 200 } });
    cleanups.push(() => gw.close());
    const t0 = Date.now();
    await am.postAlerts([{ labels: { alertname: `PageProbe${run}`, service: run, severity: 'critical' }, annotations: { summary: `probe ${run}` } }]);

    await until(() => textOf(ding, run).length === 1, 'level 1 on DingTalk');
    await until(() => textOf(slack, run).length === 1, 'level 2 on Slack', 20_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(textOf(voice, run)).toHaveLength(0);
    expect(ding.delivered().filter((q) => q.body.includes(run))[0].body).toContain('第 1/3 级');

    // a console acks: the gateway's Alertmanager source creates the silence, the alert comes back acked
    const fp = (gw.store.current('alert').map((e) => e.data as Alert).find((a) => a.alertname === `PageProbe${run}`))!.fingerprint;
    const c = await Client.open(gw.url);
    cleanups.push(() => c.ws.terminate());
    c.hello();
    await c.next('welcome');
    c.send({ type: 'action', id: uuidv7(), action: 'alert.ack', payload: { fingerprint: fp }, at: Date.now(), actor: 'Tester' });
    await c.next('result');
    const ladder = await until(() => {
      const e = gw.store.current('page').find((x) => x.id === fp);
      const l = e && PageLadderSchema.parse(e.data);
      return l?.stoppedAt ? l : null;
    }, 'the ladder stopped by the ack');
    expect(ladder.stopReason).toMatch(/^acked by Tester/);
    expect(ladder.level).toBe(2);
    expect(ladder.steps.map((s) => s.deliveries.map((d) => [d.channel, d.state]))).toEqual([[['sre-dingtalk', 'sent']], [['sre-slack', 'sent']]]);
    // level 3 would have been due 3 s after level 2: nothing comes
    await new Promise((r) => setTimeout(r, 4500));
    expect(textOf(voice, run)).toHaveLength(0);
    expect(textOf(ding, run)).toHaveLength(1);
    expect(textOf(slack, run)).toHaveLength(1);
  });

  it('a gateway killed with SIGKILL mid-ladder resumes after a restart without paging a level twice', async () => {
    // the gateway as operators run it, built for the test when there is no build (test/chaos/procs.ts)
    const entry = path.join(builtApp(), 'main/gateway.js');
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run "npx electron-vite build" first`);
    const run = uuidv7().slice(-12);
    const { dir, cleanup } = tempDir('vigil-page-kill-');
    cleanups.push(cleanup);
    const file = rosterFile(dir, run, 0.1); // 6 s apart
    const start = (): Promise<Started> =>
      startProcess(process.execPath, [entry, '--source', 'alertmanager', '--alertmanager-url', am.url, '--roster', file, '--poll-interval', '300', '--port', '0', '--data-dir', path.join(dir, 'gw'), '--token', TOKEN], {
        env: nodeEnv(ENV),
        ready: /Vigil gateway listening on (ws:\/\/\S+)/,
        timeoutMs: 60_000,
      });
    let gw = await start();
    cleanups.push(() => gw.stop());
    await am.postAlerts([{ labels: { alertname: `KillProbe${run}`, service: run, severity: 'critical' } }]);
    await until(() => textOf(ding, run).length === 1, 'level 1 on DingTalk', 20_000);
    await new Promise((r) => setTimeout(r, 500)); // its "sent" is stored
    signalGroup(gw.child, 'SIGKILL');
    await new Promise<void>((r) => (gw.child.exitCode !== null || gw.child.signalCode !== null ? r() : gw.child.once('exit', () => r())));
    expect(gw.child.signalCode).toBe('SIGKILL');

    gw = await start();
    await until(() => textOf(slack, run).length === 1, 'level 2 on Slack after the restart', 30_000);
    await until(() => textOf(voice, run).length === 1, 'level 3 on the voice webhook', 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(textOf(ding, run)).toHaveLength(1);
    expect(textOf(slack, run)).toHaveLength(1);
    expect(textOf(voice, run)).toHaveLength(1);
    expect(voice.delivered().find((q) => q.body.includes(run))!.json).toEqual({ to: '13155500103', alert: `KillProbe${run}` });
  });
});
