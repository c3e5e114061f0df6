/**
 * Runbook search. Terms of three or more characters go through the FTS5 trigram index (which matches any
 * substring, so Chinese needs no word splitting); shorter terms cannot make a trigram and fall back to a
 * LIKE scan. Both paths rank in the same order:
 *
 *   1. how many terms appear in the title (title matches first),
 *   2. how many appear in the meta text (service, tags, alert names),
 *   3. how relevant the body is: bm25 over the body column when the index found the runbook, the number of
 *      occurrences when the scan did (bm25 is term frequency with saturation and length normalisation, read
 *      from the index; counting occurrences of a common term over every body would cost ten times more),
 *   4. title, then id (stable).
 *
 * Snippets and highlights are built here as text segments; the renderer draws them as text, so nothing in a
 * runbook can become markup through a search result.
 */
import type { RunbookSearchQuery, RunbookSearchResult, SearchField, TextSegment } from '../../../shared/runbooks';
import { markdownToPlain, splitFrontMatter } from '../../../shared/runbook-template';
import type { Statement } from 'better-sqlite3';
import type { DB } from '../store/db';
import { SUMMARY_COLUMNS, toSummary, type RunbookRow } from './runbook-store';

const MAX_TERMS = 8;
const DEFAULT_LIMIT = 50;
const SNIPPET_BEFORE = 30;
const SNIPPET_LENGTH = 140;

/** the meta column as SQL over the runbooks row (JSON text is fine for substring tests) */
const META_SQL = `(coalesce(r.service, '') || ' ' || r.tags || ' ' || r.alertnames)`;

export function splitTerms(query: string): string[] {
  const seen = new Set<string>();
  for (const t of query.trim().toLowerCase().split(/\s+/)) if (t && seen.size < MAX_TERMS) seen.add(t);
  return [...seen];
}

/** trigram needs three characters (code points, not UTF-16 units) */
export const isIndexable = (term: string): boolean => [...term].length >= 3;

const ftsPhrase = (t: string) => `"${t.replace(/"/g, '""')}"`;
const likePattern = (t: string) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export function createRunbookSearch(db: DB) {
  // one statement per query shape (number of long/short terms, filters): few shapes, prepared once each
  const cache = new Map<string, Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare<unknown[]>(sql);
      if (cache.size > 64) cache.clear();
      cache.set(sql, st);
    }
    return st;
  };

  const fetchDocs = db.prepare<[string], RunbookRow>(
    `SELECT ${SUMMARY_COLUMNS}, markdown, doc FROM runbooks WHERE doc IN (SELECT value FROM json_each(?))`,
  );

  return function search(q: RunbookSearchQuery): RunbookSearchResult {
    const terms = splitTerms(q.query);
    const long = terms.filter(isIndexable);
    const short = terms.filter((t) => !isIndexable(t));
    const limit = q.limit ?? DEFAULT_LIMIT;
    const patterns = terms.map(likePattern);

    // tiers: how many terms the title has, then the meta text (LIKE folds ASCII case as trigram does)
    const select: string[] = ['r.doc'];
    const selectParams: unknown[] = [];
    if (terms.length) {
      select.push(`${patterns.map(() => "(r.title LIKE ? ESCAPE '\\')").join(' + ')} AS title_hits`);
      select.push(`${patterns.map(() => `(${META_SQL} LIKE ? ESCAPE '\\')`).join(' + ')} AS meta_hits`);
      selectParams.push(...patterns, ...patterns);
    }
    // body relevance: bm25 over the body column from the index; without an index, minus the occurrence count
    let from = 'runbooks r';
    const fromParams: unknown[] = [];
    if (long.length) {
      from =
        '(SELECT rowid AS doc, bm25(runbooks_fts, 0.0, 0.0, 1.0) AS body_rank FROM runbooks_fts WHERE runbooks_fts MATCH ?) m JOIN runbooks r ON r.doc = m.doc';
      fromParams.push(long.map(ftsPhrase).join(' AND '));
      select.push('m.body_rank AS body_rank');
    } else if (short.length) {
      select.push(
        `-(${short.map(() => "(length(r.markdown) - length(replace(lower(r.markdown), ?, ''))) / length(?)").join(' + ')}) AS body_rank`,
      );
      selectParams.push(...short.flatMap((t) => [t, t]));
    }
    select.push('count(*) OVER () AS total');

    const where: string[] = [];
    const whereParams: unknown[] = [];
    for (const p of short.map(likePattern)) {
      where.push(`(r.title LIKE ? ESCAPE '\\' OR ${META_SQL} LIKE ? ESCAPE '\\' OR r.markdown LIKE ? ESCAPE '\\')`);
      whereParams.push(p, p, p);
    }
    if (q.service) {
      where.push('r.service = ?');
      whereParams.push(q.service);
    }
    if (q.tag) {
      where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = ?)');
      whereParams.push(q.tag);
    }
    const order = terms.length ? 'title_hits DESC, meta_hits DESC, body_rank, ' : '';
    const ranked = prepared(
      `SELECT ${select.join(', ')} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order}r.title COLLATE NOCASE, r.id LIMIT ?`,
    ).all(...selectParams, ...fromParams, ...whereParams, limit) as {
      doc: number;
      title_hits?: number;
      meta_hits?: number;
      body_rank?: number;
      total: number;
    }[];

    // only the page of results is read in full
    const byDoc = new Map(fetchDocs.all(JSON.stringify(ranked.map((r) => r.doc))).map((r) => [r.doc, r]));
    return {
      query: q.query,
      mode: !terms.length ? 'all' : long.length && short.length ? 'mixed' : long.length ? 'fts' : 'like',
      total: ranked[0]?.total ?? 0,
      hits: ranked.map((k) => {
        const r = byDoc.get(k.doc)!;
        const matchedIn: SearchField[] = [];
        if (k.title_hits) matchedIn.push('title');
        if (k.meta_hits) matchedIn.push('meta');
        if ((k.body_rank ?? 0) < 0) matchedIn.push('body');
        return {
          runbook: toSummary(r),
          title: highlight(r.title, terms),
          snippet: snippet(markdownToPlain(splitFrontMatter(r.markdown).body), terms),
          matchedIn,
        };
      }),
    };
  };
}

/** Cuts `text` into segments, marking every case-insensitive occurrence of any term. */
export function highlight(text: string, terms: string[]): TextSegment[] {
  if (!terms.length || !text) return text ? [{ text, hit: false }] : [];
  const lower = text.toLowerCase();
  const marks: [number, number][] = [];
  for (const t of terms) {
    for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + 1)) marks.push([i, i + t.length]);
  }
  if (!marks.length) return [{ text, hit: false }];
  marks.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const m of marks) {
    const last = merged[merged.length - 1];
    if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
    else merged.push([...m]);
  }
  const out: TextSegment[] = [];
  let pos = 0;
  for (const [a, b] of merged) {
    if (a > pos) out.push({ text: text.slice(pos, a), hit: false });
    out.push({ text: text.slice(a, b), hit: true });
    pos = b;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), hit: false });
  return out;
}

/** A window of the body around its first hit (or its start), highlighted. */
export function snippet(plain: string, terms: string[]): TextSegment[] {
  const flat = plain.replace(/\s+/g, ' ').trim();
  const lower = flat.toLowerCase();
  const first = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), Infinity);
  const start = Number.isFinite(first) ? Math.max(0, first - SNIPPET_BEFORE) : 0;
  const end = Math.min(flat.length, start + SNIPPET_LENGTH);
  const window = (start > 0 ? '…' : '') + flat.slice(start, end) + (end < flat.length ? '…' : '');
  return highlight(window, terms);
}
