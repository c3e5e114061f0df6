/**
 * Imports a local folder of markdown runbooks (typically a git checkout of the team's runbook repository).
 * Front matter is optional: without it the id comes from the file's path, the title from the template's
 * 名称/Name or the first heading, the date from the file. Re-importing the same folder updates what changed
 * and removes runbooks whose file is gone, so "git pull, import again" keeps the cache in step.
 *
 * Files are read first, then everything is written in one transaction: a failed import changes nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FolderImportResult } from '@shared/runbooks';
import { readRunbookHead, runbookFields } from '@shared/runbook-template';
import { ApiError } from '@shared/rpc';
import type { DB } from '@node/sqlite';
import type { RunbookStore, RunbookWrite } from './runbook-store';

export const IMPORT_LIMITS = { files: 20_000, fileBytes: 2 * 1024 * 1024, depth: 12 } as const;
/** repository files that are about the repository, not runbooks */
const NOT_RUNBOOKS = /^(readme|changelog|contributing|license|code_of_conduct|security|summary|index)\.md$/i;

interface Found {
  abs: string;
  rel: string;
}

async function walk(root: string): Promise<{ files: Found[]; skipped: FolderImportResult['skipped'] }> {
  const files: Found[] = [];
  const skipped: FolderImportResult['skipped'] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > IMPORT_LIMITS.depth) {
      skipped.push({ file: path.relative(root, dir), reason: `deeper than ${IMPORT_LIMITS.depth} folders` });
      return;
    }
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const abs = path.join(dir, e.name);
      // symlinks are not followed: a link out of the checkout would import files the user did not pick
      if (e.isDirectory()) await visit(abs, depth + 1);
      else if (e.isFile() && /\.(md|markdown)$/i.test(e.name)) {
        if (files.length >= IMPORT_LIMITS.files)
          throw new ApiError(
            'too_large',
            `The folder has more than ${IMPORT_LIMITS.files} markdown files; import a narrower folder.`,
          );
        files.push({ abs, rel: path.relative(root, abs).split(path.sep).join('/') });
      }
    }
  };
  await visit(root, 0);
  return { files, skipped };
}

type Content = { markdown: string; mtimeMs: number } | { skip: string };
/** files read at once: enough to keep the disk busy, few enough not to exhaust file descriptors */
const READ_PARALLEL = 32;

async function readOne(f: Found): Promise<Content> {
  const st = await fs.stat(f.abs);
  if (st.size > IMPORT_LIMITS.fileBytes) return { skip: `larger than ${IMPORT_LIMITS.fileBytes / 1024 / 1024} MB` };
  const markdown = await fs.readFile(f.abs, 'utf8');
  if (markdown.includes('\u0000')) return { skip: 'not a text file' };
  return { markdown, mtimeMs: st.mtimeMs };
}

async function readAll(files: Found[]): Promise<Map<string, Content>> {
  const out = new Map<string, Content>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      out.set(f.rel, await readOne(f));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_PARALLEL, files.length) }, worker));
  return out;
}

/** an id from a path: "db/slow-queries.md" → "db/slow-queries" */
export const idFromPath = (rel: string): string =>
  rel
    .replace(/\.(md|markdown)$/i, '')
    .replace(/\s+/g, '-')
    .slice(0, 200);

export async function resolveFolder(raw: string): Promise<string> {
  if (!path.isAbsolute(raw)) throw new ApiError('bad_arguments', `The folder path must be absolute (got "${raw}").`);
  const root = path.resolve(raw);
  let st;
  try {
    st = await fs.stat(root);
  } catch {
    throw new ApiError('not_found', `The folder ${root} does not exist or cannot be read.`);
  }
  if (!st.isDirectory()) throw new ApiError('bad_arguments', `${root} is a file, not a folder.`);
  return root;
}

export async function importFolder(
  deps: { db: DB; store: RunbookStore; now: number },
  rawRoot: string,
): Promise<FolderImportResult> {
  const root = await resolveFolder(rawRoot);
  const { files, skipped } = await walk(root);
  const warnings: FolderImportResult['warnings'] = [];
  const writes: RunbookWrite[] = [];
  const seen = new Map<string, string>();

  const contents = await readAll(files.filter((f) => !NOT_RUNBOOKS.test(path.basename(f.rel))));
  for (const f of files) {
    const base = path.basename(f.rel);
    const content = contents.get(f.rel);
    if (!content) {
      skipped.push({ file: f.rel, reason: 'repository file, not a runbook' });
      continue;
    }
    if ('skip' in content) {
      skipped.push({ file: f.rel, reason: content.skip });
      continue;
    }
    const { markdown, mtimeMs } = content;
    const doc = readRunbookHead(markdown);
    if (doc.frontMatterError) warnings.push({ file: f.rel, reason: doc.frontMatterError });
    const fields = runbookFields(doc, {
      id: idFromPath(f.rel),
      title: base.replace(/\.(md|markdown)$/i, ''),
      updatedAt: Math.round(mtimeMs),
    });
    const other = seen.get(fields.id);
    if (other) {
      skipped.push({ file: f.rel, reason: `id "${fields.id}" is already used by ${other}` });
      continue;
    }
    seen.set(fields.id, f.rel);
    writes.push({
      ...fields,
      markdown,
      origin: 'local',
      fetchedAt: deps.now,
      sourceRoot: root,
      sourcePath: f.rel,
    });
  }

  const result: FolderImportResult = {
    root,
    scanned: files.length,
    imported: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    skipped,
    warnings,
  };
  const existingFromRoot = deps.db.prepare<[string], { id: string }>(
    "SELECT id FROM runbooks WHERE source_root = ? AND origin = 'local'",
  );
  deps.db.transaction(() => {
    for (const w of writes) {
      const prev = deps.store.get(w.id);
      if (prev?.origin === 'platform') {
        skipped.push({ file: w.sourcePath!, reason: `id "${w.id}" belongs to a runbook synced from the platform` });
        continue;
      }
      if (prev && sameContent(prev, w)) {
        result.unchanged++;
        continue;
      }
      deps.store.upsert(w);
      if (prev) result.updated++;
      else result.imported++;
    }
    const kept = new Set(writes.map((w) => w.id));
    for (const { id } of existingFromRoot.all(root)) {
      if (!kept.has(id) && deps.store.remove(id)) result.removed++;
    }
  })();
  return result;
}

function sameContent(prev: NonNullable<ReturnType<RunbookStore['get']>>, w: RunbookWrite): boolean {
  return (
    prev.markdown === w.markdown &&
    prev.title === w.title &&
    prev.source_root === w.sourceRoot &&
    prev.source_path === w.sourcePath &&
    prev.updated_at === w.updatedAt
  );
}
