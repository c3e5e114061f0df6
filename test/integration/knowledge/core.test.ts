/**
 * The knowledge slice through the real core (createCore, as the Electron shell and the browser host build
 * it): arguments validated by the contract, a local folder import that survives a restart, a recorded
 * step run landing in the real outbox, and the 003 migration upgrading a database written before it.
 * No platform is configured, so nothing leaves the machine.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/rpc';
import type {
  FolderImportResult,
  RunbookStepRun,
  RunbookPage,
  RunbookSearchResult,
} from '@shared/runbooks';
import { parseRunbook } from '@shared/runbook-template';
import { createCore, type Core } from '@core';
import { openDatabase } from '@node/sqlite';
import { migrations } from '@core/store/migrations';
import { tempDir } from '@test/helpers/tmp';
import { DEMO_RUNBOOKS } from './demo-content';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function start(dataDir: string): Core {
  const core = createCore({ dataDir, transport: 'browser', platform: { url: null } });
  cleanups.push(() => core.close());
  return core;
}

async function ok<T>(core: Core, name: string, ...args: unknown[]): Promise<T> {
  const res: Envelope = await core.dispatch(name, args);
  if (!res.ok) throw new Error(`${name} failed: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}

describe('knowledge through the core', () => {
  it('imports a folder, searches it, and keeps it across a restart', async () => {
    const t = tempDir('vigil-core-knowledge-');
    cleanups.push(t.cleanup);
    let core = start(t.dir);
    const imported = await ok<FolderImportResult>(core, 'runbooksImportFolder', DEMO_RUNBOOKS);
    expect(imported.imported).toBeGreaterThanOrEqual(7);
    await core.close();

    core = start(t.dir);
    const zh = await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: '拉单延迟' });
    expect(zh.hits[0].runbook.id).toBe('ozon-orders-pull-latency');
    const en = await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: 'rollback', tag: 'deploy' });
    expect(en.hits.map((h) => h.runbook.id)).toEqual(['api-p99-rollback']);
    const all = await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: '' });
    expect(all.total).toBe(imported.imported);
  });

  it('rejects bad arguments with a clear error and changes nothing', async () => {
    const t = tempDir('vigil-core-knowledge-');
    cleanups.push(t.cleanup);
    const core = start(t.dir);
    const cases: [string, unknown[], RegExp][] = [
      ['runbooksImportFolder', [''], /a folder path is required/],
      ['runbooksImportFolder', [42], /argument 0/],
      ['runbooksSearch', [{ query: 'x'.repeat(201) }], /argument 0\.query/],
      ['runbooksSearch', [{ query: 'x', limit: 0 }], /argument 0\.limit/],
      ['runbookStepSet', ['id', 'step', 'yes'], /argument 2/],
      ['dashboardView', ['d', '2h'], /argument 1/],
      ['runbookForAlert', [''], /argument 0/],
    ];
    for (const [name, args, message] of cases) {
      const res = await core.dispatch(name, args);
      expect(res.ok, name).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('bad_arguments');
        expect(res.error.message).toMatch(message);
      }
    }
    const missing = await core.dispatch('runbooksImportFolder', [path.join(t.dir, 'no-such-folder')]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: '' })).toMatchObject({ total: 0, hits: [] });
  });

  it('records a runbook step run into the outbox', async () => {
    const t = tempDir('vigil-core-knowledge-');
    cleanups.push(t.cleanup);
    const core = start(t.dir);
    await ok(core, 'runbooksImportFolder', DEMO_RUNBOOKS);
    const page = await ok<RunbookPage>(core, 'runbookPage', 'service-down');
    const [first, second] = parseRunbook(page.runbook.markdown).steps;
    await ok<RunbookStepRun>(core, 'runbookStepSet', 'service-down', first.id, true);
    await ok<RunbookStepRun>(core, 'runbookStepSet', 'service-down', second.id, true);
    const done = await ok<RunbookStepRun>(
      core,
      'runbookStepRunFinish',
      'service-down',
      'declared P0, war-room open',
    );
    expect(done.state).toBe('recorded');
    const row = core.db!.prepare('SELECT type, payload, state FROM outbox WHERE id = ?').get(done.actionId) as {
      type: string;
      payload: string;
      state: string;
    };
    expect(row.type).toBe('checklist.result');
    expect(row.state).toBe('pending');
    expect(JSON.parse(row.payload)).toMatchObject({
      templateId: 'runbook:service-down',
      result: { done: 2, note: 'declared P0, war-room open' },
    });
  });

  it('upgrades a database written before migration 003: the old index is rebuilt and searchable', async () => {
    const t = tempDir('vigil-core-knowledge-');
    cleanups.push(t.cleanup);
    const old = openDatabase(path.join(t.dir, 'vigil.db'), { migrations: migrations.filter((m) => m.version < 3) });
    old
      .prepare(
        `INSERT INTO runbooks (id, title, service, alertnames, tags, owner, url, markdown, origin, updated_at, fetched_at)
      VALUES ('old-one', '旧手册：发货回传', 'ozon', '["OzonShipmentsPushFailures"]', '["legacy"]', NULL, NULL, '# 旧手册\\n发货回传失败的处理', 'platform', 1, 1)`,
      )
      .run();
    old
      .prepare(
        "INSERT INTO runbooks_fts (title, body, tags, id) VALUES ('旧手册：发货回传', '# 旧手册\\n发货回传失败的处理', 'legacy', 'old-one')",
      )
      .run();
    old.close();

    const core = start(t.dir);
    expect(core.storeStatus().ok).toBe(true);
    const res = await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: '回传失败' });
    expect(res.hits.map((h) => h.runbook.id)).toEqual(['old-one']);
    const byAlert = await ok<RunbookSearchResult>(core, 'runbooksSearch', { query: 'OzonShipmentsPushFailures' });
    expect(byAlert.hits.map((h) => [h.runbook.id, h.matchedIn])).toEqual([['old-one', ['meta']]]);
  });
});
