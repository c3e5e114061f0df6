/**
 * A console that cannot write its data, against a real gateway on loopback. The disk fills up (SQLite's
 * max_page_count on the console's own connection: every write that grows the file fails with SQLITE_FULL,
 * "database or disk is full", exactly as on a full disk) while the platform has alerts to send.
 *
 * - the console says so: `storageHealth` reports disk_full with the data folder, as an event and on request;
 *   a method that writes answers `storage_failed` instead of an internal error;
 * - the link backs off instead of reconnecting several times a second: in 10 s the gateway sends at most
 *   3 full snapshots (today's code asked for ~24);
 * - once space is free and the user retries, the data is stored and the problem clears;
 * - the gateway's own snapshot limit: a client that keeps asking is told to come back later, and the
 *   console's link waits that long.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageProblem } from '@shared/domain';
import type { Core } from '@core';
import type { Gateway } from '@gateway/server';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { alert, alertCount, call, core, gateway, testSource } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function snapshotsSent(gw: Gateway): Promise<number> {
  const m = await gw.metrics.snapshots.get();
  return m.values.reduce((n, v) => n + v.value, 0);
}

async function stack(extra: Parameters<typeof gateway>[2] = {}) {
  const dir = tempDir('vigil-storage-');
  cleanups.push(dir.cleanup);
  const source = testSource(Array.from({ length: 300 }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(i) })));
  const gw = await gateway(source, `${dir.dir}/gw`, extra);
  cleanups.push(() => gw.close());
  return { dir: dir.dir, gw };
}

function openConsole(dataDir: string, url: string, opts: { full?: boolean } = {}): { c: Core; problems: (StorageProblem | null)[] } {
  const c = core(`${dataDir}/console`, url);
  cleanups.push(() => c.close());
  // the disk is full from the first write on: the file may not grow past what it is now
  if (opts.full) c.db!.pragma(`max_page_count = ${c.db!.pragma('page_count', { simple: true }) as number}`);
  const problems: (StorageProblem | null)[] = [];
  c.on((name, payload) => {
    if (name === 'storageHealth') problems.push((payload as { problem: StorageProblem | null }).problem);
  });
  return { c, problems };
}

describe('a full disk', () => {
  it('is reported in the console, the link backs off, and a retry after freeing space stores the data', async () => {
    const { dir, gw } = await stack();
    const { c, problems } = openConsole(dir, gw.url, { full: true });
    const t0 = Date.now();
    await until(() => problems.length > 0, 'the storage problem reported');
    expect(problems[0]).toMatchObject({ code: 'disk_full', dataDir: `${dir}/console`, message: expect.stringMatching(/disk is full/) });
    expect(await call(c, 'storageHealth')).toEqual({ problem: problems[0] });
    const link = await call<{ status: string; lastError: string }>(c, 'linkState');
    expect(link.status).toBe('offline');
    expect(link.lastError).toMatch(/disk is full/);

    // a method that writes says what is wrong, not "internal"
    const folder = `${dir}/runbooks`;
    fs.mkdirSync(folder);
    fs.writeFileSync(`${folder}/big.md`, `# Big runbook\n\n${'a line of the procedure\n'.repeat(2000)}`);
    const save = await c.dispatch('runbooksImportFolder', [folder]);
    expect(save).toMatchObject({ ok: false, error: { code: 'storage_failed', message: expect.stringContaining(`${dir}/console`) } });

    // ten seconds of a full disk: backing off, not reconnecting several times a second
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - t0))));
    const snapshots = await snapshotsSent(gw);
    console.log(JSON.stringify({ suite: 'storage', snapshotsIn10s: snapshots }));
    expect(snapshots).toBeGreaterThanOrEqual(1);
    expect(snapshots).toBeLessThanOrEqual(3);
    expect(alertCount(c)).toBe(0);

    // space is freed; the user presses "try again"
    c.db!.pragma('max_page_count = 1073741823');
    await call(c, 'storageRetry');
    await until(() => alertCount(c) === 300, 'the snapshot stored after the retry');
    await until(() => problems.at(-1) === null, 'the problem cleared');
    expect(await call(c, 'storageHealth')).toEqual({ problem: null });
    await until(async () => (await call<{ status: string }>(c, 'linkState')).status === 'online', 'online again');
  }, 60_000);
});

describe('the gateway’s snapshot limit', () => {
  it('tells a client that keeps asking for snapshots to come back later, and the console waits that long', async () => {
    // one snapshot, then one per 10 s: the console's first retry after the failed store (2.5–5 s) is too soon
    const { dir, gw } = await stack({ snapshotLimit: { burst: 1, everyMs: 10_000 } });
    const { c } = openConsole(dir, gw.url, { full: true });
    await until(async () => /come back later/.test((await call<{ lastError: string | null }>(c, 'linkState')).lastError ?? ''), 'told to come back later', 30_000);
    const refusedAt = Date.now();
    const before = await snapshotsSent(gw);
    expect(before).toBe(1);
    // the console honours retryAfterMs: no new snapshot before the gateway's time
    c.db!.pragma('max_page_count = 1073741823');
    await until(() => alertCount(c) === 300, 'stored once allowed', 30_000);
    // told to wait until the 10 s were up (5–7.5 s after the refusal): no snapshot came sooner
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(4_000);
    expect(await snapshotsSent(gw)).toBe(2);
  }, 60_000);
});
