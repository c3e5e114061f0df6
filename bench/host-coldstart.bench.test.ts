/**
 * Browser host cold start with 100k alerts already cached, and the memory it then holds:
 * - host ready: spawn of the built host → its "Vigil console:" line (store opened, migrations checked);
 * - first rows: spawn → first alert rows drawn in Chromium;
 * - all rows: spawn → "100000 of 100000 shown";
 * - RSS of the host process (core + host) once every row is loaded, and the database size.
 * The platform is an unreachable loopback port, so the cache is what the console shows (the 3 a.m. VPN case).
 * Reference in the same run: opening the same database with better-sqlite3 and reading every alert row.
 * Prints one JSON line; asserts nothing about timing.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { it } from 'vitest';
import { createAlertRepo } from '@core/alerts/repo';
import { openCoreDatabase } from '@core/store/open';
import type { Alert } from '@shared/alerts';
import { startProcess } from '@test/services/processes';
import { tempDir } from '@test/helpers/tmp';
import { firingAlert } from '@test/helpers/alerts';

const N = 100_000;
const OUT_DIR = path.resolve(process.env.VIGIL_OUT_DIR ?? 'out');
const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
const names = ['OrderPullFailures', 'ShipmentPushFailures', 'TaskBacklogHigh', 'DbQueryP95High', 'ApiP99Slow'];

function seed(file: string): void {
  const db = openCoreDatabase(file);
  const repo = createAlertRepo(db);
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const alertname = names[i % names.length];
      const a: Alert = firingAlert({
        fingerprint: `fp${i.toString(16).padStart(8, '0')}`,
        alertname,
        labels: { alertname, service: `svc-${i % 40}`, instance: `node-${i}:9100`, severity: 'warning' },
        annotations: { summary: `${alertname} on node-${i}` },
        severity: (['P0', 'P1', 'P2', 'P3'] as const)[i % 4],
        startsAt: T0 + i * 1000,
        updatedAt: T0 + i * 1000,
      });
      repo.upsert(a, T0);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
};

it('browser host cold start with 100k cached alerts', async () => {
  if (!fs.existsSync(path.join(OUT_DIR, 'main/host.js'))) {
    console.log(JSON.stringify({ bench: 'host-coldstart', skipped: `no build in ${OUT_DIR} (run electron-vite build first)` }));
    return;
  }
  const dir = tempDir('vigil-bench-cold-');
  const file = path.join(dir.dir, 'vigil.db');
  seed(file);

  const refStart = performance.now();
  const raw = new Database(file, { readonly: true });
  const rows = raw.prepare('SELECT * FROM alerts').all().length;
  raw.close();
  const referenceMs = performance.now() - refStart;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const spawnAt = performance.now();
  const host = await startProcess(
    process.execPath,
    [path.join(OUT_DIR, 'main/host.js'), '--no-open', '--data-dir', dir.dir, '--port', '0', '--platform', 'ws://127.0.0.1:9', '--token', 'bench-token'],
    { env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' }, ready: /Vigil console: (\S+)/, timeoutMs: 60_000 },
  );
  const readyMs = performance.now() - spawnAt;
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'en-US' });
    await page.goto(host.match[1]);
    await page.getByRole('row').filter({ hasText: /OrderPullFailures|ShipmentPushFailures|TaskBacklogHigh/ }).first().waitFor({ timeout: 120_000 });
    const firstRowsMs = performance.now() - spawnAt;
    await page.getByText(`${N} of ${N} shown`).waitFor({ timeout: 300_000 });
    const allRowsMs = performance.now() - spawnAt;
    const rss = rssMiB(host.child.pid!);
    const dbMiB = Math.round(fs.statSync(file).size / 104857.6) / 10;
    console.log(
      JSON.stringify({
        bench: 'host-coldstart',
        alerts: rows,
        figures: [
          { name: 'host ready (spawn → URL printed)', value: Math.round(readyMs), unit: 'ms' },
          { name: 'cold start → first rows visible', value: Math.round(firstRowsMs), unit: 'ms', reference: Math.round(referenceMs), ratio: Math.round((referenceMs / firstRowsMs) * 100) / 100 },
          { name: 'cold start → all 100k rows loaded', value: Math.round(allRowsMs), unit: 'ms' },
          { name: 'RSS of core + host with 100k alerts', value: rss, unit: 'MiB' },
          { name: 'database size with 100k alerts', value: dbMiB, unit: 'MiB' },
        ],
        referenceNote: 'reference: raw better-sqlite3 open + SELECT * of the same alerts table',
      }),
    );
  } finally {
    await browser.close();
    await host.stop();
    dir.cleanup();
  }
});
