/**
 * Runbook rows and their search entries, written together. Every writer (the platform applier, the folder
 * import) goes through here so the indexes can never drift from the table. Callers own the transaction.
 *
 * Per runbook `doc`: the trigram entry (runbooks_fts), the short ranking/filter row (runbook_search), its
 * tags (runbook_tags) and its one- and two-character grams (runbook_grams) — see migrations 003 and 007.
 * Every write also bumps `runbookGeneration`, which tells search its per-term counts are stale.
 */
import type { Runbook, RunbookSummary } from '@shared/runbooks';
import type { DB } from '@node/sqlite';

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

/**
 * The meta text the ranking tests with LIKE: the stored service and JSON columns joined as SQL
 * `coalesce(service, '') || ' ' || tags || ' ' || alertnames` would (kept from before runbook_search existed,
 * so a search ranks exactly as it did).
 */
const likeMetaText = (service: string | null, tagsJson: string, alertnamesJson: string): string =>
  `${service ?? ''} ${tagsJson} ${alertnamesJson}`;

/**
 * The code point at `text[i]` as SQLite's LIKE reads it: lone surrogates and U+FFFE/U+FFFF read as U+FFFD,
 * ASCII letters fold to lower case (nothing else does); -1 at a NUL, where LIKE stops reading (a C string).
 * A result ≥ 0x10000 used two UTF-16 units. The gram index and the query terms both go through this, so
 * "the runbook has this gram" means exactly "LIKE '%term%' matches".
 */
function likeCodePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0) return -1;
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c >= 0xd800 && c <= 0xdfff) {
    const d = c <= 0xdbff ? text.charCodeAt(i + 1) : 0;
    return d >= 0xdc00 && d <= 0xdfff ? (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000 : 0xfffd;
  }
  return c === 0xfffe || c === 0xffff ? 0xfffd : c;
}

/** `text` as LIKE reads it, as code points (see likeCodePointAt) */
export function likeCodePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0, c: number; i < text.length && (c = likeCodePointAt(text, i)) >= 0; i += c >= 0x10000 ? 2 : 1)
    out.push(c);
  return out;
}

// A gram token is its code points in base 32 (digits 0-9a-v), joined by "x" for a pair: plain ASCII
// alphanumerics, one token each for the 'ascii' tokenizer, and never the same for a one- and a two-character gram.
const token = (cp: number) => cp.toString(32);

/** the token of a one- or two-character term, in LIKE's view; null for any other length */
export function termGramToken(term: string): string | null {
  const cps = likeCodePoints(term);
  return cps.length === 1 ? token(cps[0]) : cps.length === 2 ? `${token(cps[0])}x${token(cps[1])}` : null;
}

// gramTokens numbers the code points of one runbook in order of appearance, so a pair (a, b) is the bit
// a * n + b of a bitset (reused between calls, cleared after each; up to 4096 distinct code points, 2 MiB)
// and a Set of numbers beyond that. BMP code points find their number in a table, likewise reset after use.
const bmpNumber = new Int32Array(0x10000).fill(-1);
const MAX_BITSET_ALPHABET = 4096;
let pairBits = new Uint32Array(0);

/** every distinct one- and two-character substring of each text (never across two texts), as tokens */
export function gramTokens(texts: string[]): string {
  const astral = new Map<number, number>();
  const alphabet: number[] = [];
  const seq: number[] = []; // the numbered code points of every text, -1 after each
  try {
    for (const text of texts) {
      for (let i = 0, c: number; i < text.length && (c = likeCodePointAt(text, i)) >= 0; i += c >= 0x10000 ? 2 : 1) {
        let k = c < 0x10000 ? bmpNumber[c] : (astral.get(c) ?? -1);
        if (k < 0) {
          k = alphabet.push(c) - 1;
          if (c < 0x10000) bmpNumber[c] = k;
          else astral.set(c, k);
        }
        seq.push(k);
      }
      seq.push(-1);
    }
  } finally {
    for (const c of alphabet) if (c < 0x10000) bmpNumber[c] = -1;
  }

  const n = alphabet.length;
  const tokens = alphabet.map(token);
  const out = tokens.slice();
  const useBits = n <= MAX_BITSET_ALPHABET;
  if (useBits && pairBits.length * 32 < n * n) pairBits = new Uint32Array(Math.ceil((n * n) / 32));
  const seen = useBits ? null : new Set<number>();
  const marked: number[] = [];
  for (let i = 1; i < seq.length; i++) {
    const a = seq[i - 1];
    const b = seq[i];
    if (a < 0 || b < 0) continue;
    const key = a * n + b;
    if (seen) {
      if (seen.has(key)) continue;
      seen.add(key);
    } else {
      const bit = 1 << (key & 31);
      if (pairBits[key >>> 5] & bit) continue;
      pairBits[key >>> 5] |= bit;
      marked.push(key);
    }
    out.push(`${tokens[a]}x${tokens[b]}`);
  }
  for (const key of marked) pairBits[key >>> 5] = 0;
  return out.join(' ');
}

const generations = new WeakMap<DB, number>();
/**
 * Bumped by every write through a store on `db`: what search keeps about the collection (how many runbooks
 * each term matches) is valid while this is unchanged. In memory, as the core holds one connection.
 */
export const runbookGeneration = (db: DB): number => generations.get(db) ?? 0;
const changed = (db: DB) => generations.set(db, runbookGeneration(db) + 1);

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
    searchUpsert: db.prepare('INSERT INTO runbook_search (doc, id, title, meta, service) VALUES (?, ?, ?, ?, ?)'),
    searchDelete: db.prepare('DELETE FROM runbook_search WHERE doc = ?'),
    searchDeleteOrigin: db.prepare(
      'DELETE FROM runbook_search WHERE doc IN (SELECT doc FROM runbooks WHERE origin = ?)',
    ),
    tagsDelete: db.prepare('DELETE FROM runbook_tags WHERE doc = ?'),
    tagsDeleteOrigin: db.prepare('DELETE FROM runbook_tags WHERE doc IN (SELECT doc FROM runbooks WHERE origin = ?)'),
    tagInsert: db.prepare('INSERT OR IGNORE INTO runbook_tags (tag, doc) VALUES (?, ?)'),
    gramsDelete: db.prepare('DELETE FROM runbook_grams WHERE rowid = ?'),
    gramsDeleteOrigin: db.prepare(
      'DELETE FROM runbook_grams WHERE rowid IN (SELECT doc FROM runbooks WHERE origin = ?)',
    ),
    gramsInsert: db.prepare('INSERT INTO runbook_grams (rowid, grams) VALUES (?, ?)'),
    counts: db.prepare<[], { runbooks: number; grams: number }>(
      'SELECT (SELECT count(*) FROM runbooks) AS runbooks, (SELECT count(*) FROM runbook_grams) AS grams',
    ),
  };

  type Derived = Pick<RunbookRow, 'doc' | 'id' | 'title' | 'service' | 'tags' | 'alertnames' | 'markdown'>;
  const grams = (r: Derived) => gramTokens([r.title, likeMetaText(r.service, r.tags, r.alertnames), r.markdown]);
  /** the runbook_search, runbook_tags and runbook_grams entries of one stored row */
  const writeDerived = (r: Derived) => {
    s.searchUpsert.run(r.doc, r.id, r.title, likeMetaText(r.service, r.tags, r.alertnames), r.service);
    for (const tag of JSON.parse(r.tags) as unknown[]) if (typeof tag === 'string') s.tagInsert.run(tag, r.doc);
    s.gramsInsert.run(r.doc, grams(r));
  };
  /** drops every index entry of one doc */
  const clearIndexes = (doc: number) => {
    s.ftsDelete.run(doc);
    s.searchDelete.run(doc);
    s.tagsDelete.run(doc);
    s.gramsDelete.run(doc);
  };

  // Migration 007 cannot compute grams in SQL; they are filled here when missing (once, after it ran), a page
  // of runbooks at a time so a large library is never held in memory whole.
  const counts = s.counts.get()!;
  if (counts.grams !== counts.runbooks) {
    const page = db.prepare<[number], Derived>(
      'SELECT doc, id, title, service, tags, alertnames, markdown FROM runbooks WHERE doc > ? ORDER BY doc LIMIT 200',
    );
    changed(db);
    db.transaction(() => {
      db.prepare("INSERT INTO runbook_grams (runbook_grams) VALUES ('delete-all')").run();
      for (let rows = page.all(0); rows.length; rows = page.all(rows[rows.length - 1].doc))
        for (const r of rows) s.gramsInsert.run(r.doc, grams(r));
    })();
  }

  return {
    get: (id: string): RunbookRow | null => s.get.get(id) ?? null,
    /** inserts or replaces one runbook and its index entries */
    upsert(r: RunbookWrite): void {
      changed(db);
      const prev = s.get.get(r.id);
      const doc = prev?.doc ?? s.nextDoc.get()!.next;
      const tags = JSON.stringify(r.tags);
      const alertnames = JSON.stringify(r.alertnames);
      s.upsert.run({
        id: r.id,
        title: r.title,
        service: r.service,
        alertnames,
        tags,
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
      if (prev) clearIndexes(doc);
      s.ftsInsert.run(doc, r.title, metaText(r), r.markdown);
      writeDerived({ doc, id: r.id, title: r.title, service: r.service, tags, alertnames, markdown: r.markdown });
    },
    /** drops every runbook of one origin (a platform snapshot replaces the synced ones; local imports stay) */
    removeOrigin(origin: Runbook['origin']): void {
      changed(db);
      s.ftsDeleteOrigin.run(origin);
      s.searchDeleteOrigin.run(origin);
      s.tagsDeleteOrigin.run(origin);
      s.gramsDeleteOrigin.run(origin);
      s.removeOrigin.run(origin);
    },
    remove(id: string): boolean {
      const prev = s.get.get(id);
      if (!prev) return false;
      changed(db);
      clearIndexes(prev.doc);
      s.remove.run(id);
      return true;
    },
  };
}
export type RunbookStore = ReturnType<typeof createRunbookStore>;
