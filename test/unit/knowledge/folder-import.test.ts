import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FolderImportResult, RunbookPage, RunbookSearchResult } from '@shared/runbooks';
import { parseRunbook } from '@shared/runbook-template';
import { tempDir } from '@test/helpers/tmp';
import { createHarness, type Harness } from './harness';

let h: Harness;
let repo: { dir: string; cleanup: () => void };
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(repo.dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo.dir, rel), text);
};
const importRepo = () => h.module.handlers.runbooksImportFolder(repo.dir) as Promise<FolderImportResult>;
const ids = () => (h.db.prepare('SELECT id FROM runbooks ORDER BY id').all() as { id: string }[]).map((r) => r.id);

beforeEach(() => {
  h = createHarness();
  repo = tempDir('vigil-runbook-repo-');
});
afterEach(() => {
  h.close();
  repo.cleanup();
});

describe('local folder import', () => {
  it('imports the demo runbooks shipped with Vigil: front matter, template sections, unique ids', async () => {
    const demo = path.resolve('resources/demo/runbooks');
    const r = await h.module.handlers.runbooksImportFolder(demo);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.imported).toBeGreaterThanOrEqual(7);
    for (const id of ids()) {
      const page = h.module.handlers.runbookPage(id) as RunbookPage;
      expect(page.runbook.origin).toBe('local');
      expect(page.runbook.url).toBe(`https://runbooks.example.internal/${id}`);
      expect(page.runbook.alertnames.length).toBeGreaterThan(0);
      const doc = parseRunbook(page.runbook.markdown);
      expect(doc.recognised, id).toEqual(['symptoms', 'causes', 'diagnosis', 'mitigation', 'rootfix']);
      expect(doc.steps.length, id).toBeGreaterThanOrEqual(3);
    }
    const zh = h.module.handlers.runbooksSearch({ query: '拉单延迟' }) as RunbookSearchResult;
    expect(zh.hits[0].runbook.id).toBe('ozon-orders-pull-latency');
  });

  it('works without front matter: id from the path, title from the template, date from the file', async () => {
    write('ozon/pull.md', '# 名称：拉单慢\n## 症状\n慢\n## 诊断\n- 看日志\n');
    write('Plain runbook.md', 'no headings at all');
    write('README.md', '# Our runbooks');
    write('.git/HEAD.md', '# not a runbook');
    write('notes.txt', 'ignored');
    const mtime = new Date('2025-12-01T08:00:00Z');
    fs.utimesSync(path.join(repo.dir, 'ozon/pull.md'), mtime, mtime);
    const r = await importRepo();
    expect(r).toMatchObject({ scanned: 3, imported: 2, updated: 0, removed: 0 });
    expect(r.skipped).toEqual([{ file: 'README.md', reason: 'repository file, not a runbook' }]);
    expect(ids()).toEqual(['Plain-runbook', 'ozon/pull']);
    const page = h.module.handlers.runbookPage('ozon/pull') as RunbookPage;
    expect(page.runbook).toMatchObject({
      title: '拉单慢',
      origin: 'local',
      updatedAt: mtime.getTime(),
      fetchedAt: h.clock.now(),
    });
    expect(page.sourcePath).toBe(path.join(repo.dir, 'ozon/pull.md'));
    expect((h.module.handlers.runbookPage('Plain-runbook') as RunbookPage).runbook.title).toBe('Plain runbook');
    expect(h.events).toContainEqual({ name: 'dataChanged', payload: { collection: 'runbooks' } });
  });

  it('re-import after a pull: updates what changed, removes what is gone, leaves the rest', async () => {
    write('a.md', '---\nid: a\n---\n# A\n');
    write('b.md', '# B\n');
    write('c.md', '# C\n');
    await importRepo();
    write('a.md', '---\nid: a\n---\n# A, revised\n');
    fs.rmSync(path.join(repo.dir, 'c.md'));
    const r = await importRepo();
    expect(r).toMatchObject({ imported: 0, updated: 1, unchanged: 1, removed: 1 });
    expect(ids()).toEqual(['a', 'b']);
    expect(
      (h.module.handlers.runbooksSearch({ query: 'revised' }) as RunbookSearchResult).hits.map((x) => x.runbook.id),
    ).toEqual(['a']);
    expect((h.module.handlers.runbooksSearch({ query: '# C' }) as RunbookSearchResult).total).toBe(0);
  });

  it('reports bad front matter and duplicate ids per file, and never overwrites a synced runbook', async () => {
    h.upsertRunbook({ id: 'synced', title: 'From the platform', markdown: '# platform copy' });
    write('one.md', '---\nid: dup\n---\n# One\n');
    write('two.md', '---\nid: dup\n---\n# Two\n');
    write('broken.md', '---\ntags: [unclosed\n---\n# Broken but readable\n');
    write('mine.md', '---\nid: synced\n---\n# Local copy\n');
    const r = await importRepo();
    expect(r.skipped).toEqual([
      { file: 'two.md', reason: 'id "dup" is already used by one.md' },
      { file: 'mine.md', reason: 'id "synced" belongs to a runbook synced from the platform' },
    ]);
    expect(r.warnings).toEqual([{ file: 'broken.md', reason: expect.stringMatching(/not valid YAML/) }]);
    expect(ids()).toEqual(['broken', 'dup', 'synced']);
    expect((h.module.handlers.runbookPage('synced') as RunbookPage).runbook.markdown).toBe('# platform copy');
  });

  it('rejects a relative path, a missing folder and a file with a clear error, importing nothing', async () => {
    write('x.md', '# X');
    await expect(h.module.handlers.runbooksImportFolder('relative/dir')).rejects.toThrow(/must be absolute/);
    await expect(h.module.handlers.runbooksImportFolder(path.join(repo.dir, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(h.module.handlers.runbooksImportFolder(path.join(repo.dir, 'x.md'))).rejects.toThrow(
      /is a file, not a folder/,
    );
    expect(ids()).toEqual([]);
  });
});
