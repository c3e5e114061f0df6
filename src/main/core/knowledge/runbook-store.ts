/**
 * Runbook rows and their full-text entries, written together. Every writer (the platform applier, the
 * folder import) goes through here so the index can never drift from the table. Callers own the transaction.
 */
import type { Runbook, RunbookSummary } from '../../../shared/runbooks';
import type { DB } from '../store/db';

export interface RunbookRow {
  id: string;
  title: string;
  service: string | null;
  alertnames: string;
  tags: string;
  owner: string | null;
  url: string | null;
  markdown: string;
  origin: Runbook['origin'];
  updated_at: number;
  fetched_at: number;
  doc: number;
  source_root: string | null;
  source_path: string | null;
}

export const SUMMARY_COLUMNS = 'id, title, service, alertnames, tags, owner, url, origin, updated_at, fetched_at';

export function toSummary(r: Omit<RunbookRow, 'markdown' | 'doc' | 'source_root' | 'source_path'>): RunbookSummary {
  return {
    id: r.id,
    title: r.title,
    service: r.service ?? null,
    alertnames: JSON.parse(r.alertnames) as string[],
    tags: JSON.parse(r.tags) as string[],
    owner: r.owner ?? null,
    url: r.url ?? null,
    updatedAt: r.updated_at,
    fetchedAt: r.fetched_at,
    origin: r.origin,
  };
}

export const toRunbook = (r: RunbookRow): Runbook => ({ ...toSummary(r), markdown: r.markdown });

/** the text of the FTS "meta" column: what a runbook is about besides its title and body */
export const metaText = (r: Pick<Runbook, 'service' | 'tags' | 'alertnames'>): string =>
  [r.service ?? '', ...r.tags, ...r.alertnames].join(' ').trim();

export type RunbookWrite = Omit<Runbook, 'fetchedAt'> & {
  fetchedAt: number;
  sourceRoot?: string | null;
  sourcePath?: string | null;
};

export function createRunbookStore(db: DB) {
  const s = {
    get: db.prepare<[string], RunbookRow>('SELECT * FROM runbooks WHERE id = ?'),
    nextDoc: db.prepare<[], { next: number }>('SELECT coalesce(max(doc), 0) + 1 AS next FROM runbooks'),
    upsert:
      db.prepare(`INSERT INTO runbooks (id, title, service, alertnames, tags, owner, url, markdown, origin, updated_at,
        fetched_at, doc, source_root, source_path)
      VALUES (@id, @title, @service, @alertnames, @tags, @owner, @url, @markdown, @origin, @updatedAt, @fetchedAt, @doc,
        @sourceRoot, @sourcePath)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, service = excluded.service, alertnames = excluded.alertnames,
        tags = excluded.tags, owner = excluded.owner, url = excluded.url, markdown = excluded.markdown,
        origin = excluded.origin, updated_at = excluded.updated_at, fetched_at = excluded.fetched_at,
        source_root = excluded.source_root, source_path = excluded.source_path`),
    remove: db.prepare('DELETE FROM runbooks WHERE id = ?'),
    ftsDelete: db.prepare('DELETE FROM runbooks_fts WHERE rowid = ?'),
    ftsInsert: db.prepare('INSERT INTO runbooks_fts (rowid, title, meta, body) VALUES (?, ?, ?, ?)'),
    ftsDeleteOrigin: db.prepare('DELETE FROM runbooks_fts WHERE rowid IN (SELECT doc FROM runbooks WHERE origin = ?)'),
    removeOrigin: db.prepare('DELETE FROM runbooks WHERE origin = ?'),
  };
  return {
    get: (id: string): RunbookRow | null => s.get.get(id) ?? null,
    /** inserts or replaces one runbook and its index entry */
    upsert(r: RunbookWrite): void {
      const prev = s.get.get(r.id);
      const doc = prev?.doc ?? s.nextDoc.get()!.next;
      s.upsert.run({
        id: r.id,
        title: r.title,
        service: r.service,
        alertnames: JSON.stringify(r.alertnames),
        tags: JSON.stringify(r.tags),
        owner: r.owner,
        url: r.url,
        markdown: r.markdown,
        origin: r.origin,
        updatedAt: r.updatedAt,
        fetchedAt: r.fetchedAt,
        doc,
        sourceRoot: r.sourceRoot ?? null,
        sourcePath: r.sourcePath ?? null,
      });
      if (prev) s.ftsDelete.run(doc);
      s.ftsInsert.run(doc, r.title, metaText(r), r.markdown);
    },
    /** drops every runbook of one origin (a platform snapshot replaces the synced ones; local imports stay) */
    removeOrigin(origin: Runbook['origin']): void {
      s.ftsDeleteOrigin.run(origin);
      s.removeOrigin.run(origin);
    },
    remove(id: string): boolean {
      const prev = s.get.get(id);
      if (!prev) return false;
      s.ftsDelete.run(prev.doc);
      s.remove.run(id);
      return true;
    },
  };
}
export type RunbookStore = ReturnType<typeof createRunbookStore>;
