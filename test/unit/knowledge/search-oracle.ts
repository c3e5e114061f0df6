/**
 * The oracle for runbook search: one straightforward SQL statement over runbooks + runbooks_fts (LIKE scan for
 * short terms, tiers by LIKE over the joined rows, a window count), so the indexed search can be compared with
 * it result for result. It defines the right answer; it reads every markdown for a short term and ranks every
 * match, which is why search no longer works this way.
 *
 * `previousSearch` is the statement search ran before migration 007 and the discrimination rule (the same SQL
 * text, built from the pieces both statements share): the benchmark times it as the previous implementation. `oracleSearch` is the same statement with the rule
 * spelled out: n counted per term with its own query (a LIKE scan for a short term, not the gram index), the
 * body tier ranked by the terms with 2n < N only, and `body` in matchedIn when the markdown contains a term.
 */
import type { RunbookSearchQuery, SearchField } from '@shared/runbooks';
import { isIndexable, splitTerms } from '@core/knowledge/search';
import type { DB } from '@node/sqlite';

const DEFAULT_LIMIT = 50;
const META_SQL = `(coalesce(r.service, '') || ' ' || r.tags || ' ' || r.alertnames)`;
const ftsPhrase = (t: string) => `"${t.replace(/"/g, '""')}"`;
const likePattern = (t: string) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export interface OracleResult {
  mode: 'all' | 'fts' | 'like' | 'mixed';
  total: number;
  hits: { id: string; matchedIn: SearchField[] }[];
}

type Terms = { terms: string[]; long: string[]; short: string[]; patterns: string[]; limit: number };

function termsOf(q: RunbookSearchQuery): Terms {
  const terms = splitTerms(q.query);
  return {
    terms,
    long: terms.filter(isIndexable),
    short: terms.filter((t) => !isIndexable(t)),
    patterns: terms.map(likePattern),
    limit: q.limit ?? DEFAULT_LIMIT,
  };
}

/** the title and meta tiers: one LIKE per term over the title, and over service, tags and alertnames */
function tierColumns(qt: Terms, select: string[], selectParams: unknown[]): void {
  if (!qt.terms.length) return;
  select.push(`${qt.patterns.map(() => "(r.title LIKE ? ESCAPE '\\')").join(' + ')} AS title_hits`);
  select.push(`${qt.patterns.map(() => `(${META_SQL} LIKE ? ESCAPE '\\')`).join(' + ')} AS meta_hits`);
  selectParams.push(...qt.patterns, ...qt.patterns);
}

/** a short term must appear somewhere (LIKE); service and tag narrow the set */
function filterShortAndFacets(qt: Terms, q: RunbookSearchQuery, where: string[], whereParams: unknown[]): void {
  for (const p of qt.short.map(likePattern)) {
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
}

/** the statement both oracles end with: tiers, then title, then id; a page of `limit` rows */
function runStatement<R>(db: DB, qt: Terms, select: string[], from: string, where: string[], params: unknown[]): R[] {
  const order = qt.terms.length ? 'title_hits DESC, meta_hits DESC, body_rank, ' : '';
  return db
    .prepare(
      `SELECT ${select.join(', ')} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order}r.title COLLATE NOCASE, r.id LIMIT ?`,
    )
    .all(...params, qt.limit) as R[];
}

/** one hit: the tiers it matched in */
function hitOf(
  k: { id: string; title_hits?: number; meta_hits?: number },
  inBody: boolean,
): OracleResult['hits'][number] {
  const matchedIn: SearchField[] = [];
  if (k.title_hits) matchedIn.push('title');
  if (k.meta_hits) matchedIn.push('meta');
  if (inBody) matchedIn.push('body');
  return { id: k.id, matchedIn };
}

const modeOf = (qt: Terms): OracleResult['mode'] =>
  !qt.terms.length ? 'all' : qt.long.length && qt.short.length ? 'mixed' : qt.long.length ? 'fts' : 'like';

export function previousSearch(db: DB, q: RunbookSearchQuery): OracleResult {
  const qt = termsOf(q);
  const { long, short } = qt;

  const select: string[] = ['r.doc', 'r.id'];
  const selectParams: unknown[] = [];
  tierColumns(qt, select, selectParams);
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
  filterShortAndFacets(qt, q, where, whereParams);
  const rows = runStatement<{
    id: string;
    title_hits?: number;
    meta_hits?: number;
    body_rank?: number;
    total: number;
  }>(db, qt, select, from, where, [...selectParams, ...fromParams, ...whereParams]);
  return {
    mode: modeOf(qt),
    total: rows[0]?.total ?? 0,
    hits: rows.map((k) => hitOf(k, (k.body_rank ?? 0) < 0)),
  };
}

/** N and, per term, n: how many runbooks the term alone matches (a long term in the trigram index, as it filters) */
export function termCounts(db: DB, terms: string[]): { all: number; n: Map<string, number> } {
  const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
  const n = new Map<string, number>();
  for (const t of terms) {
    const p = likePattern(t);
    n.set(
      t,
      isIndexable(t)
        ? count('SELECT count(*) AS n FROM runbooks_fts WHERE runbooks_fts MATCH ?', ftsPhrase(t))
        : count(
            `SELECT count(*) AS n FROM runbooks r WHERE r.title LIKE ? ESCAPE '\\' OR ${META_SQL} LIKE ? ESCAPE '\\' OR r.markdown LIKE ? ESCAPE '\\'`,
            p,
            p,
            p,
          ),
    );
  }
  return { all: count('SELECT count(*) AS n FROM runbooks'), n };
}

export function oracleSearch(db: DB, q: RunbookSearchQuery): OracleResult {
  const qt = termsOf(q);
  const { terms, long } = qt;

  // the rule: a term in at least half of all runbooks does not rank the body tier
  const counts = termCounts(db, terms);
  const ranking = terms.filter((t) => 2 * counts.n.get(t)! < counts.all);
  const rankingLong = ranking.filter(isIndexable);

  const select: string[] = ['r.doc', 'r.id', 'r.markdown'];
  const selectParams: unknown[] = [];
  let bodyRank = '0';
  tierColumns(qt, select, selectParams);
  let from = 'runbooks r';
  const fromParams: unknown[] = [];
  if (rankingLong.length) {
    // bm25 over the discriminating long terms only
    from =
      'runbooks r LEFT JOIN (SELECT rowid AS doc, bm25(runbooks_fts, 0.0, 0.0, 1.0) AS body_rank FROM runbooks_fts WHERE runbooks_fts MATCH ?) m ON m.doc = r.doc';
    fromParams.push(rankingLong.map(ftsPhrase).join(' AND '));
    bodyRank = 'm.body_rank';
  } else if (ranking.length) {
    // occurrences in the whole markdown (a NUL does not end it, as it ends what LIKE reads)
    bodyRank = `-(${ranking.map(() => "(octet_length(r.markdown) - octet_length(replace(lower(r.markdown), ?, ''))) / octet_length(?)").join(' + ')})`;
    selectParams.push(...ranking.flatMap((t) => [t, t]));
  }
  select.push(`${bodyRank} AS body_rank`, 'count(*) OVER () AS total');

  const where: string[] = [];
  const whereParams: unknown[] = [];
  if (long.length) {
    where.push('r.doc IN (SELECT rowid FROM runbooks_fts WHERE runbooks_fts MATCH ?)');
    whereParams.push(long.map(ftsPhrase).join(' AND '));
  }
  filterShortAndFacets(qt, q, where, whereParams);
  const rows = runStatement<{
    id: string;
    markdown: string;
    title_hits?: number;
    meta_hits?: number;
    total: number;
  }>(db, qt, select, from, where, [...selectParams, ...fromParams, ...whereParams]);
  // lone surrogates were stored as U+FFFD; compared case-insensitively as JavaScript lower-cases
  const lowerTerms = terms.map((t) => t.replace(/\p{Cs}/gu, '\uFFFD'));
  return {
    mode: modeOf(qt),
    total: rows[0]?.total ?? 0,
    hits: rows.map((k) =>
      hitOf(
        k,
        lowerTerms.some((t) => k.markdown.toLowerCase().includes(t)),
      ),
    ),
  };
}
