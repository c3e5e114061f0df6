/**
 * Runbook search. Terms of three or more characters go through the FTS5 trigram index (which matches any
 * substring, so Chinese needs no word splitting); shorter terms cannot make a trigram and are matched with
 * LIKE semantics, the runbooks to test found through the gram index (migration 007) rather than by scanning
 * every markdown. Every term filters (a runbook must contain all of them). Both paths rank in the same order:
 *
 *   1. how many terms appear in the title (title matches first),
 *   2. how many appear in the meta text (service, tags, alert names),
 *   3. how relevant the body is, by the query's *discriminating* terms only (below): bm25 over the body column
 *      when one of them is long, else the number of occurrences of the short ones; a tie when there are none,
 *   4. title, then id (stable).
 *
 * A term found in at least half of the runbooks does not rank the body tier (product decision, issue 5).
 * That is where bm25's IDF, log((N − n + 0.5)/(n + 0.5)), reaches zero (FTS5 clamps it to 1e-6): the term says
 * nothing about which runbook is more relevant. N is every runbook (not the filtered set), n the runbooks the
 * term alone matches; "discriminating" means 2n < N. Ranking by such a term was also the costliest part of a
 * query (bm25, or an occurrence count, over nearly every runbook); n costs one index count per term, cached
 * until the runbooks change. Tiers 1 and 2 still count every term.
 *
 * `matchedIn` says where the terms are: title and meta as tiers 1 and 2 count them (LIKE), body when the
 * runbook's markdown contains a term case-insensitively — checked on the page only, the way highlights are.
 *
 * Snippets and highlights are built here as text segments; the renderer draws them as text, so nothing in a
 * runbook can become markup through a search result.
 */
import type { RunbookSearchQuery, RunbookSearchResult, SearchField, TextSegment } from '@shared/runbooks';
import { markdownToPlain, splitFrontMatter } from '@shared/runbook-template';
import type { Statement } from 'better-sqlite3';
import type { DB } from '@node/sqlite';
import { runbookGeneration, SUMMARY_COLUMNS, termGramToken, toSummary, type RunbookRow } from './runbook-store';

const MAX_TERMS = 8;
const DEFAULT_LIMIT = 50;
const SNIPPET_BEFORE = 30;
const SNIPPET_LENGTH = 140;
/** markdown characters converted on each side of the first hit: more than a snippet shows of them */
const SNIPPET_SOURCE_CONTEXT = 150;
const MAX_CACHED_COUNTS = 2048;

/** Whitespace separates terms, and so does NUL (neither LIKE nor the FTS query syntax can carry one). */
export function splitTerms(query: string): string[] {
  const seen = new Set<string>();
  for (const t of query.toLowerCase().split(/[\s\0]+/)) if (t && seen.size < MAX_TERMS) seen.add(t);
  return [...seen];
}

/** trigram needs three characters (code points, not UTF-16 units) */
export const isIndexable = (term: string): boolean => [...term].length >= 3;

const ftsPhrase = (t: string) => `"${t.replace(/"/g, '""')}"`;
const ftsAll = (terms: string[]) => terms.map(ftsPhrase).join(' AND ');
const gramPhrase = (t: string) => `"${termGramToken(t)!}"`;
const likePattern = (t: string) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
const LIKE = "LIKE ? ESCAPE '\\'";
const BM25 = 'bm25(runbooks_fts, 0.0, 0.0, 1.0)';

/** How tier 3 is decided for one query: see the header. */
type BodyRank = { by: 'bm25'; terms: string[] } | { by: 'occurrences'; terms: string[] } | { by: 'none' };

function bodyRank(terms: string[], discriminating: (term: string) => boolean): BodyRank {
  const ranking = terms.filter(discriminating);
  const long = ranking.filter(isIndexable);
  if (long.length) return { by: 'bm25', terms: long };
  return ranking.length ? { by: 'occurrences', terms: ranking } : { by: 'none' };
}

/** What the rule needs to know of one term: see `createTermCounts`. */
interface TermStats {
  /** found in fewer than half of the runbooks (2n < N): ranks the body */
  discriminating(term: string): boolean;
  /** found in every runbook (n = N): filters nothing, so the candidates need not be matched against it */
  everywhere(term: string): boolean;
}

/**
 * n per term — the trigram match of a long term, the gram match of a short one: the sets the filter uses —
 * and N, kept until the runbooks change (runbookGeneration). Nothing is kept from inside a transaction: it may
 * still roll back.
 */
function createTermCounts(db: DB): () => TermStats {
  const s = {
    all: db.prepare<[], number>('SELECT count(*) FROM runbooks').pluck(),
    long: db.prepare<[string], number>('SELECT count(*) FROM runbooks_fts WHERE runbooks_fts MATCH ?').pluck(),
    short: db.prepare<[string], number>('SELECT count(*) FROM runbook_grams WHERE runbook_grams MATCH ?').pluck(),
  };
  let generation = -1;
  let total = 0;
  const counts = new Map<string, number>();
  const count = (term: string) => {
    let n = counts.get(term);
    if (n === undefined) {
      n = isIndexable(term) ? s.long.get(ftsPhrase(term))! : s.short.get(gramPhrase(term))!;
      if (counts.size >= MAX_CACHED_COUNTS) counts.clear();
      counts.set(term, n);
    }
    return n;
  };
  return () => {
    const current = db.inTransaction ? -1 : runbookGeneration(db);
    if (current < 0 || current !== generation) {
      counts.clear();
      total = s.all.get()!;
      generation = current;
    }
    return { discriminating: (t) => 2 * count(t) < total, everywhere: (t) => count(t) === total };
  };
}

/** lone surrogates are stored (and so read back) as U+FFFD; a term must compare the same way */
const asStored = (t: string) => t.replace(/\p{Cs}/gu, '\uFFFD');

interface Ranked {
  doc: number;
  title_hits?: number;
  meta_hits?: number;
  total: number;
}

export function createRunbookSearch(db: DB) {
  // one statement per query shape (number of long/short terms, filters, body rank): few shapes, prepared once each
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
  const termStats = createTermCounts(db);

  const fetchDocs = db.prepare<[string], RunbookRow>(
    `SELECT ${SUMMARY_COLUMNS}, markdown, doc FROM runbooks WHERE doc IN (SELECT value FROM json_each(?))`,
  );

  /**
   * The ranked page. First the candidates (`c`): the runbooks every term and filter admit, from the indexes
   * only — the trigram index when a term is long, else the gram index, each narrowed by the other sets (short
   * terms, runbook_search / runbook_tags for the filters); a term in every runbook is not matched at all.
   * `total` is their number. Their tiers (title hits,
   * meta hits) come from LIKE on their short runbook_search rows, never on the markdown-carrying runbooks rows.
   * Then the order, tier 3 as `body` says:
   *
   * - bm25 over the discriminating long terms: from the filtering match itself when those are the terms it
   *   matches, else from a second match of them (`b`), kept to the candidates (bm25 is computed per row
   *   returned), which then drives the page;
   * - occurrences of the discriminating terms (when none is long): this reads markdown, so only for candidates
   *   whose tiers (`t`) are at least those at the last place of the page (`cut`) — the others cannot be on it;
   * - none: tiers, then title and id.
   */
  function rank(q: RunbookSearchQuery, terms: string[], long: string[], short: string[], limit: number): Ranked[] {
    const sets: string[] = [];
    const setParams: unknown[] = [];
    if (q.service) {
      sets.push('SELECT doc FROM runbook_search WHERE service = ?');
      setParams.push(q.service);
    }
    if (q.tag) {
      sets.push('SELECT doc FROM runbook_tags WHERE tag = ?');
      setParams.push(q.tag);
    }
    if (!terms.length) {
      // nothing to rank: the (title, id) index gives the page directly
      const where = sets.length ? `WHERE ${sets.map((x) => `s.doc IN (${x})`).join(' AND ')}` : '';
      return prepared(
        `SELECT s.doc, (SELECT count(*) FROM runbook_search s ${where}) AS total FROM runbook_search s ${where}
         ORDER BY s.title COLLATE NOCASE, s.id LIMIT ?`,
      ).all(...setParams, ...setParams, limit) as Ranked[];
    }

    const stats = termStats();
    const body = bodyRank(terms, stats.discriminating);
    // a term in every runbook still counts in the tiers, but matching it would only cost
    const matchLong = long.filter((t) => !stats.everywhere(t));
    const matchShort = short.filter((t) => !stats.everywhere(t));
    if (matchShort.length && matchLong.length) {
      sets.push('SELECT rowid FROM runbook_grams WHERE runbook_grams MATCH ?');
      setParams.push(matchShort.map(gramPhrase).join(' AND '));
    }
    // `+rowid`: a plain filter on the index's rows, not a constraint handed to FTS5 (which would rerun the
    // whole match once per value of the set)
    const narrowed = (rowid: string) => sets.map((x) => ` AND +${rowid} IN (${x})`).join('');
    const params: unknown[] = [];
    let c: string;
    const bm25InMatch = body.by === 'bm25' && body.terms.join('\n') === matchLong.join('\n');
    if (matchLong.length) {
      const bm25 = bm25InMatch ? `, ${BM25} AS body_rank` : '';
      c = `SELECT rowid AS doc${bm25} FROM runbooks_fts WHERE runbooks_fts MATCH ?${narrowed('rowid')}`;
      params.push(ftsAll(matchLong), ...setParams);
    } else if (matchShort.length) {
      c = `SELECT rowid AS doc FROM runbook_grams WHERE runbook_grams MATCH ?${narrowed('rowid')}`;
      params.push(matchShort.map(gramPhrase).join(' AND '), ...setParams);
    } else {
      c = `SELECT doc FROM runbook_search WHERE 1${narrowed('doc')}`;
      params.push(...setParams);
    }
    let ctes = `c AS MATERIALIZED (${c})`;
    let ranked = 'c'; // the candidates, with their body_rank when bm25 ranks
    if (body.by === 'bm25' && !bm25InMatch) {
      ctes += `, b AS MATERIALIZED (SELECT rowid AS doc, ${BM25} AS body_rank FROM runbooks_fts
        WHERE runbooks_fts MATCH ? AND +rowid IN (SELECT doc FROM c))`;
      params.push(ftsAll(body.terms));
      ranked = 'b';
    }

    const patterns = terms.map(likePattern);
    const hits = (col: string) => patterns.map(() => `(s.${col} ${LIKE})`).join(' + ');
    const tiers = `${hits('title')} AS title_hits, ${hits('meta')} AS meta_hits`;
    const order = (bodyTier: string) =>
      `ORDER BY title_hits DESC, meta_hits DESC, ${bodyTier}s.title COLLATE NOCASE, s.id LIMIT ?`;
    // CROSS JOIN keeps the candidates outermost; the tiers are computed in the sort, not stored per candidate
    // first, which would cost more than the LIKEs themselves
    if (body.by !== 'occurrences') {
      return prepared(
        `WITH ${ctes} SELECT ${ranked}.doc, ${tiers}, (SELECT count(*) FROM c) AS total
         FROM ${ranked} CROSS JOIN runbook_search s ON s.doc = ${ranked}.doc
         ${order(body.by === 'bm25' ? `${ranked}.body_rank, ` : '')}`,
      ).all(...params, ...patterns, ...patterns, limit) as Ranked[];
    }

    // minus the number of occurrences of the terms in the markdown (lower() folds ASCII only, as LIKE does, so a
    // term without ASCII letters — most Chinese terms — is counted in the markdown as it is, without the copy;
    // lengths in bytes, which SQLite has at hand, where characters would be counted by decoding the text)
    const occurrences = body.terms.map(
      (t) => `(octet_length(r.markdown) - octet_length(replace(${/[a-z]/.test(t) ? 'lower(r.markdown)' : 'r.markdown'}, ?, ''))) / octet_length(?)`,
    );
    return prepared(
      `WITH ${ctes},
       t AS MATERIALIZED (SELECT c.doc, ${tiers} FROM c CROSS JOIN runbook_search s ON s.doc = c.doc),
       cut AS (SELECT title_hits, meta_hits FROM t ORDER BY title_hits DESC, meta_hits DESC LIMIT 1 OFFSET ?)
       SELECT t.doc, t.title_hits, t.meta_hits, (SELECT count(*) FROM c) AS total
       FROM t CROSS JOIN runbook_search s ON s.doc = t.doc CROSS JOIN runbooks r ON r.doc = t.doc
       WHERE NOT EXISTS (SELECT 1 FROM cut) OR (t.title_hits, t.meta_hits) >= (SELECT title_hits, meta_hits FROM cut)
       ${order(`-(${occurrences.join(' + ')}), `)}`,
    ).all(...params, ...patterns, ...patterns, limit - 1, ...body.terms.flatMap((t) => [t, t]), limit) as Ranked[];
  }

  return function search(q: RunbookSearchQuery): RunbookSearchResult {
    const terms = splitTerms(q.query);
    const long = terms.filter(isIndexable);
    const short = terms.filter((t) => !isIndexable(t));
    const ranked = rank(q, terms, long, short, q.limit ?? DEFAULT_LIMIT);

    // only the page of results is read in full
    const byDoc = new Map(fetchDocs.all(JSON.stringify(ranked.map((r) => r.doc))).map((r) => [r.doc, r]));
    const stored = terms.map(asStored);
    return {
      query: q.query,
      mode: !terms.length ? 'all' : long.length && short.length ? 'mixed' : long.length ? 'fts' : 'like',
      total: ranked[0]?.total ?? 0,
      hits: ranked.map((k) => {
        const r = byDoc.get(k.doc)!;
        const matchedIn: SearchField[] = [];
        if (k.title_hits) matchedIn.push('title');
        if (k.meta_hits) matchedIn.push('meta');
        if (bodyContains(r.markdown, stored)) matchedIn.push('body');
        return {
          runbook: toSummary(r),
          title: highlight(r.title, terms),
          snippet: bodySnippet(r.markdown, terms),
          matchedIn,
        };
      }),
    };
  };
}

/** Whether `markdown` contains one of `terms` (lower case), compared as `highlight` compares. */
export function bodyContains(markdown: string, terms: string[]): boolean {
  if (!terms.length) return false;
  const lower = markdown.toLowerCase();
  return terms.some((t) => lower.includes(t));
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

/** A window of plain text around its first hit (or its start), highlighted. */
export function snippet(plain: string, terms: string[]): TextSegment[] {
  const flat = plain.replace(/\s+/g, ' ').trim();
  const w = snippetWindow(flat, terms);
  return highlight((w.start > 0 ? '…' : '') + flat.slice(w.start, w.end) + (w.end < flat.length ? '…' : ''), terms);
}

function snippetWindow(flat: string, terms: string[]) {
  const lower = flat.toLowerCase();
  const first = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), Infinity);
  const start = Number.isFinite(first) ? Math.max(0, first - SNIPPET_BEFORE) : 0;
  return { start, end: Math.min(flat.length, start + SNIPPET_LENGTH), hit: Number.isFinite(first) };
}

/**
 * The snippet of a runbook's body: `snippet` of its plain text, converting only the lines around the first
 * hit in the markdown, or its first lines (a page of results would otherwise convert every body whole, the
 * larger part of a query's time). The plain-text conversion works line by line, so those lines give the same
 * window as the whole body would; when the window reaches the edge of the converted part, or the part's text
 * disagrees with the markdown about a hit, the whole body is converted. (Markup inside a term, `kube**ctl**`,
 * hides it from the markdown: such a hit is shown when it is in those lines.)
 */
export function bodySnippet(markdown: string, terms: string[]): TextSegment[] {
  const body = splitFrontMatter(markdown).body;
  const lower = body.toLowerCase();
  const at = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), Infinity);
  const centre = Number.isFinite(at) ? at : 0; // no hit: the window is the start of the body
  const from = centre > SNIPPET_SOURCE_CONTEXT ? body.lastIndexOf('\n', centre - SNIPPET_SOURCE_CONTEXT) + 1 : 0;
  const lineEnd = body.indexOf('\n', centre + SNIPPET_SOURCE_CONTEXT);
  const to = lineEnd < 0 ? body.length : lineEnd;
  const flat = markdownToPlain(body.slice(from, to)).replace(/\s+/g, ' ').trim();
  const w = snippetWindow(flat, terms);
  if (w.hit === Number.isFinite(at) && (from === 0 || w.start > 0) && (to === body.length || w.end < flat.length)) {
    const before = from > 0 || w.start > 0 ? '…' : '';
    const after = to < body.length || w.end < flat.length ? '…' : '';
    return highlight(before + flat.slice(w.start, w.end) + after, terms);
  }
  return snippet(markdownToPlain(body), terms);
}
