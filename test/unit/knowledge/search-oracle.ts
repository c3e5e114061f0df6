/**
 * The oracle for runbook search: one straightforward SQL statement over runbooks + runbooks_fts (LIKE scan for
 * short terms, tiers by LIKE over the joined rows, a window count), so the indexed search can be compared with
 * it result for result. It defines the right answer; it reads every markdown for a short term and ranks every
 * match, which is why search no longer works this way.
 *
 * `previousSearch` is the statement search ran before migration 007 and the discrimination rule, verbatim: the
 * benchmark times it as the previous implementation. `oracleSearch` is the same statement with the rule
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

export function previousSearch(db: DB, q: RunbookSearchQuery): OracleResult {
  const terms = splitTerms(q.query);
  const long = terms.filter(isIndexable);
  const short = terms.filter((t) => !isIndexable(t));
  const limit = q.limit ?? DEFAULT_LIMIT;
  const patterns = terms.map(likePattern);

  const select: string[] = ['r.doc', 'r.id'];
  const selectParams: unknown[] = [];
  if (terms.length) {
    select.push(`${patterns.map(() => "(r.title LIKE ? ESCAPE '\\')").join(' + ')} AS title_hits`);
    select.push(`${patterns.map(() => `(${META_SQL} LIKE ? ESCAPE '\\')`).join(' + ')} AS meta_hits`);
    selectParams.push(...patterns, ...patterns);
  }
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
  const rows = db
    .prepare(
      `SELECT ${select.join(', ')} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order}r.title COLLATE NOCASE, r.id LIMIT ?`,
    )
    .all(...selectParams, ...fromParams, ...whereParams, limit) as {
    id: string;
    title_hits?: number;
    meta_hits?: number;
    body_rank?: number;
    total: number;
  }[];
  return {
    mode: !terms.length ? 'all' : long.length && short.length ? 'mixed' : long.length ? 'fts' : 'like',
    total: rows[0]?.total ?? 0,
    hits: rows.map((k) => {
      const matchedIn: SearchField[] = [];
      if (k.title_hits) matchedIn.push('title');
      if (k.meta_hits) matchedIn.push('meta');
      if ((k.body_rank ?? 0) < 0) matchedIn.push('body');
      return { id: k.id, matchedIn };
    }),
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
  const terms = splitTerms(q.query);
  const long = terms.filter(isIndexable);
  const short = terms.filter((t) => !isIndexable(t));
  const limit = q.limit ?? DEFAULT_LIMIT;
  const patterns = terms.map(likePattern);

  // the rule: a term in at least half of all runbooks does not rank the body tier
  const counts = termCounts(db, terms);
  const ranking = terms.filter((t) => 2 * counts.n.get(t)! < counts.all);
  const rankingLong = ranking.filter(isIndexable);

  const select: string[] = ['r.doc', 'r.id', 'r.markdown'];
  const selectParams: unknown[] = [];
  let bodyRank = '0';
  if (terms.length) {
    select.push(`${patterns.map(() => "(r.title LIKE ? ESCAPE '\\')").join(' + ')} AS title_hits`);
    select.push(`${patterns.map(() => `(${META_SQL} LIKE ? ESCAPE '\\')`).join(' + ')} AS meta_hits`);
    selectParams.push(...patterns, ...patterns);
  }
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
  const rows = db
    .prepare(
      `SELECT ${select.join(', ')} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order}r.title COLLATE NOCASE, r.id LIMIT ?`,
    )
    .all(...selectParams, ...fromParams, ...whereParams, limit) as {
    id: string;
    markdown: string;
    title_hits?: number;
    meta_hits?: number;
    total: number;
  }[];
  // lone surrogates were stored as U+FFFD; compared case-insensitively as JavaScript lower-cases
  const lowerTerms = terms.map((t) => t.replace(/\p{Cs}/gu, '\uFFFD'));
  return {
    mode: !terms.length ? 'all' : long.length && short.length ? 'mixed' : long.length ? 'fts' : 'like',
    total: rows[0]?.total ?? 0,
    hits: rows.map((k) => {
      const matchedIn: SearchField[] = [];
      if (k.title_hits) matchedIn.push('title');
      if (k.meta_hits) matchedIn.push('meta');
      if (lowerTerms.some((t) => k.markdown.toLowerCase().includes(t))) matchedIn.push('body');
      return { id: k.id, matchedIn };
    }),
  };
}
