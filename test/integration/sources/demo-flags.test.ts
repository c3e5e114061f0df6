/**
 * A flag is never silently ignored. The built gateway (out/main/gateway.js) with the demo source and
 * --runbooks, --dashboards and --roster serves those instead of its bundled runbooks, dashboards and roster
 * (read back from a real client's snapshot); flags the demo source cannot use (--prometheus-url,
 * --alertmanager-url, --poll-interval) and paths that are not there stop the start with a message.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL } from '@shared/protocol';
import { tempDir } from '@test/helpers/tmp';
import { builtApp, nodeEnv } from '@test/chaos/procs';
import { startProcess, type Started } from '@test/services/processes';

const TOKEN = 'demo-flags-token-0123456789';
const WORLD = path.resolve(__dirname, '../../fixtures/process/e2e-world');
let dir: { dir: string; cleanup(): void };
let roster: string;

beforeAll(() => {
  dir = tempDir('vigil-demo-flags-');
  roster = path.join(dir.dir, 'team-roster.yaml');
  // the bundled roster under another id and name: which one is served tells whose it is
  fs.writeFileSync(
    roster,
    fs
      .readFileSync(path.resolve(__dirname, '../../../resources/demo/roster.yaml'), 'utf8')
      .replace(/^id: demo$/m, 'id: team-roster')
      .replace(/^name: Vigil demo roster$/m, 'name: Our team roster'),
  );
}, 180_000);
afterAll(() => dir?.cleanup());

const gatewayArgs = (extra: string[]) => [
  path.join(builtApp(), 'main/gateway.js'),
  '--source',
  'demo',
  '--port',
  '0',
  '--data-dir',
  path.join(dir.dir, `gw-${Math.random().toString(36).slice(2)}`),
  ...extra,
];

/** every entity id of the first snapshot, by kind */
async function snapshotIds(url: string): Promise<Record<string, string[]>> {
  const ws = new WebSocket(url, [PROTOCOL], { headers: { Authorization: `Bearer ${TOKEN}` } });
  const ids: Record<string, string[]> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', clientId: 'demo-flags', protocol: 1, cursor: null })));
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as {
          type: string;
          chunk?: number;
          chunks?: number;
          items?: { kind: string; data: { id?: string; fingerprint?: string } }[];
        };
        if (f.type !== 'snapshot') return;
        for (const it of f.items ?? []) (ids[it.kind] ??= []).push(it.data.id ?? it.data.fingerprint ?? '?');
        if (f.chunk === (f.chunks ?? 1) - 1) resolve();
      });
    });
  } finally {
    ws.terminate();
  }
  return ids;
}

describe('the demo source and the content flags', () => {
  it('serves --runbooks, --dashboards and --roster instead of its bundled ones', async () => {
    let gw: Started & { match: RegExpMatchArray } | null = null;
    try {
      gw = await startProcess(
        process.execPath,
        gatewayArgs(['--runbooks', path.join(WORLD, 'runbooks'), '--dashboards', path.join(WORLD, 'dashboards/desk.yaml'), '--roster', roster]),
        { env: nodeEnv({ VIGIL_GATEWAY_TOKEN: TOKEN }), ready: /Vigil gateway listening on (ws:\/\/\S+)/, timeoutMs: 60_000 },
      );
      const ids = await snapshotIds(gw.match[1]);
      expect(ids['runbook.upsert']).toEqual(['desk-heartbeat']);
      expect(ids['dashboard.upsert']).toEqual(['desk']);
      expect(ids['roster.upsert']).toEqual(['team-roster']);
      // the simulated alerts stay: the demo is still a demo
      expect((ids['alert.upsert'] ?? []).length).toBeGreaterThan(0);
    } finally {
      await gw?.stop();
    }
  });

  it.each([
    [['--prometheus-url', 'http://127.0.0.1:9090'], /--prometheus-url need --source alertmanager/],
    [['--alertmanager-url', 'http://127.0.0.1:9093', '--poll-interval', '500'], /--alertmanager-url, --poll-interval need --source alertmanager/],
    [['--runbooks', '/nonexistent/runbooks'], /--runbooks must name an existing folder, got "\/nonexistent\/runbooks"/],
    [['--roster', path.join(WORLD, 'runbooks')], /--roster must name an existing file/],
    [['--dashboards', '/nonexistent/dash.yaml'], /--dashboards must name an existing file or folder/],
  ])('refuses to start with %j, saying why', (extra, why) => {
    const r = spawnSync(process.execPath, gatewayArgs(extra), { env: nodeEnv({ VIGIL_GATEWAY_TOKEN: TOKEN }), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(r.stdout).not.toMatch(/listening/);
  });
});
