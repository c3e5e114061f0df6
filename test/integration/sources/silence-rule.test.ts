/**
 * The gateway refusing what it should, over the real protocol, with a real Alertmanager 0.25 behind it
 * (test/services/alertmanager.ts) and the gateway's real server, store and Alertmanager source: a raw
 * protocol client (bearer token, vigil.v1, hello) sends silence.create and alert.ack actions.
 *
 * - every catch-all silence (`alertname=~".+"`, `=~".*"`, a lone negative, `team=""` …) is refused with
 *   `silence_too_broad` and a reason that names it, and Alertmanager never sees a silence;
 * - times that are not dates are `bad_payload` (not `upstream_unavailable`), and reach no upstream;
 * - a silence or ack longer than the operator's maximum (here 2 days) is `duration_too_long`;
 * - a valid silence still goes through, and the same id with another payload is `id_conflict` (the
 *   original result is still what a true replay gets).
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseMatchers } from '@shared/matchers';
import { PROTOCOL } from '@shared/protocol';
import { silentLogger } from '@node/log';
import { startGateway, type Gateway } from '@gateway/server';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { tempDir } from '@test/helpers/tmp';

const TOKEN = 'silence-rule-token-0123456789';
const MAX_DAYS = 2;
let am: AlertmanagerHarness;
let gw: Gateway;
let dir: { dir: string; cleanup(): void };
let ws: WebSocket;
const results = new Map<string, { ok: boolean; error?: { code: string; message: string }; replay?: boolean }>();

beforeAll(async () => {
  dir = tempDir('vigil-silence-rule-');
  am = await startAlertmanager({});
  await am.postAlerts([{ labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1' } }]);
  const source = createAlertmanagerSource({ alertmanagerUrl: am.url, pollIntervalMs: 60_000, requestTimeoutMs: 2000, warn: () => {} });
  gw = await startGateway({ source, token: TOKEN, dataDir: dir.dir, log: silentLogger, limits: { maxSilenceMinutes: MAX_DAYS * 1440 } });
  ws = new WebSocket(gw.url, [PROTOCOL], { headers: { Authorization: `Bearer ${TOKEN}` } });
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { type: string; id: string; ok: boolean; error?: { code: string; message: string }; replay?: boolean };
    if (f.type === 'result') results.set(f.id, { ok: f.ok, error: f.error, replay: f.replay });
  });
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  ws.send(JSON.stringify({ type: 'hello', clientId: 'silence-rule-console', protocol: 1, cursor: null, operator: 'alice' }));
}, 120_000);
afterAll(async () => {
  ws?.terminate();
  await gw?.close();
  await am?.stop();
  dir?.cleanup();
});

async function act(action: string, payload: unknown, id = uuidv7()) {
  results.delete(id);
  ws.send(JSON.stringify({ type: 'action', id, action, payload, at: Date.now(), actor: 'alice' }));
  const end = Date.now() + 15_000;
  while (!results.has(id)) {
    if (Date.now() > end) throw new Error(`no result for ${action}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { id, ...results.get(id)! };
}

const silence = (matchers: string, over: Record<string, unknown> = {}) => ({
  matchers: parseMatchers(matchers),
  endsAt: Date.now() + 3_600_000,
  comment: 'maintenance',
  ...over,
});

const CATCH_ALLS = [
  'alertname=~".+"',
  'alertname=~".*"',
  '{alertname=~".*", severity=~".+"}',
  'job=~"x|.*"',
  'severity!="none"',
  '{severity!="none", alertname!~"Watchdog"}',
  'team=""',
  'env=~"prod|"',
];

describe('the gateway refuses what it should (real Alertmanager, real protocol)', () => {
  it.each(CATCH_ALLS)('refuses the catch-all silence %s with silence_too_broad, and Alertmanager gets nothing', async (m) => {
    const r = await act('silence.create', silence(m));
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('silence_too_broad');
    expect(r.error?.message).toMatch(/would match every alert/);
    expect(await am.silences()).toEqual([]);
  });

  it('refuses times that are not dates as bad_payload, not upstream_unavailable', async () => {
    for (const over of [{ endsAt: 1e20 }, { endsAt: -1e20 }, { startsAt: 9e15, endsAt: Date.now() + 60_000 }]) {
      const r = await act('silence.create', silence('alertname="DiskFull"', over));
      expect(r.error?.code, JSON.stringify(over)).toBe('bad_payload');
      expect(r.error?.message, JSON.stringify(over)).toMatch(/not a valid date/);
    }
    const r = await act('silence.create', silence('alertname="DiskFull"', { endsAt: Date.now() - 60_000 }));
    expect(r.error?.code).toBe('bad_payload');
    expect(await am.silences()).toEqual([]);
  });

  it('refuses a silence or an ack longer than the operator’s maximum with duration_too_long', async () => {
    const long = await act('silence.create', silence('alertname="DiskFull"', { endsAt: Date.now() + (MAX_DAYS + 1) * 86_400_000 }));
    expect(long.error?.code).toBe('duration_too_long');
    expect(long.error?.message).toMatch(/At most 2 days/);
    const fp = (await am.alerts())[0].fingerprint;
    const ack = await act('alert.ack', { fingerprint: fp, durationMinutes: 7 * 1440 });
    expect(ack.error?.code).toBe('duration_too_long');
    expect(await am.silences()).toEqual([]);
  });

  it('lets a silence that names what it silences through to Alertmanager', async () => {
    const r = await act('silence.create', silence('{alertname=~".+", instance="db-1"}'));
    expect(r).toMatchObject({ ok: true });
    const silences = await am.silences();
    expect(silences).toHaveLength(1);
    expect(silences[0].matchers.map((m) => m.name).sort()).toEqual(['alertname', 'instance']);
  });

  it('refuses an action id reused with another payload (id_conflict); a true replay still gets the first result', async () => {
    const id = uuidv7();
    const first = silence('{alertname="DiskFull", instance="db-1"}', { comment: 'disk swap' });
    expect(await act('silence.create', first, id)).toMatchObject({ ok: true });
    const widened = await act('silence.create', { ...first, matchers: parseMatchers('alertname="DiskFull"') }, id);
    expect(widened).toMatchObject({ ok: false, error: { code: 'id_conflict', message: expect.stringContaining('another payload') } });
    const replay = await act('silence.create', first, id);
    expect(replay).toMatchObject({ ok: true, replay: true });
    expect((await am.silences()).filter((x) => x.comment === 'disk swap')).toHaveLength(1);
  });
});
