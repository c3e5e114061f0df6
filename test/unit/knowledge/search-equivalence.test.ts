/**
 * The indexed search (trigram index + gram index + runbook_search, migration 007) must answer exactly what the
 * plain SQL oracle answers: same hits, same order, same total, same matched fields, same mode. Random corpora
 * (Chinese, English in mixed case, LIKE and FTS metacharacters, quotes, NUL, lone surrogates, Cyrillic whose
 * case only the trigram index folds), edited by upserts, removals and a platform reset, then searched with long,
 * short and mixed terms taken from the texts, with and without filters and small page sizes. Each runbook has
 * each of a few common terms with probability ½, so queries meet terms in more than, exactly and less than
 * half of the runbooks: the discrimination rule (a term in at least half does not rank the body) is exercised
 * on both sides of its boundary, and the test checks that it was.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunbookSearchQuery, RunbookSearchResult } from '@shared/runbooks';
import {
  createRunbookStore,
  gramTokens,
  likeCodePoints,
  termGramToken,
} from '@core/knowledge/runbook-store';
import { splitTerms } from '@core/knowledge/search';
import { createHarness, type Harness } from './harness';
import { oracleSearch, previousSearch, termCounts } from './search-oracle';

const FRAGMENTS = [
  '拉单延迟',
  '订单拉取',
  '延迟',
  '库存回传',
  '数据库',
  '库',
  '的',
  '慢查询',
  '锁等待和长事务',
  'Latency',
  'latency',
  'LATENCY',
  'kubectl',
  'Kubectl logs',
  'db',
  'DB',
  'io',
  'lock waits',
  'p95',
  '%',
  '_',
  '\\',
  '"',
  "'",
  '100%',
  'a_b',
  'C:\\tmp',
  '[x]',
  'Задержка',
  'задержка',
  'É',
  'é',
  '😀',
  '\u0000',
  '\uD800',
  '\uFFFE',
  '。',
];
const SEPARATORS = ['', ' ', '\n', '，', '-'];
/** each in about half of the runbooks */
const COMMON = ['kubectl', 'Io', '库'];

const text = (max: number) =>
  fc
    .array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom(...SEPARATORS)), { maxLength: max })
    .map((parts) => parts.map(([f, s]) => f + s).join(''));

const runbook = fc.record({
  id: fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `rb-${i}`)),
  title: text(4),
  service: fc.constantFrom(null, 'svc-a', 'svc-b', 'Svc-A', '库存'),
  tags: fc.uniqueArray(fc.constantFrom('zh', 'en', 'db', 'team-1', '%', '延迟'), { maxLength: 3 }),
  alertnames: fc.uniqueArray(fc.constantFrom('OrdersPullLatencyHigh', 'DBDown', '拉单延迟告警'), { maxLength: 2 }),
  markdown: fc
    .tuple(fc.subarray(COMMON), text(14))
    .map(([common, body]) => (common.length ? `${common.join(' ')} ${body}` : body)),
});

type Op =
  { kind: 'upsert'; r: Parameters<Harness['upsertRunbook']>[0] } | { kind: 'remove'; id: string } | { kind: 'reset' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: runbook.map((r) => ({ kind: 'upsert' as const, r })) },
  { weight: 1, arbitrary: fc.nat(11).map((i) => ({ kind: 'remove' as const, id: `rb-${i}` })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

/** a term: a piece of one of `texts` (so it often matches), a fragment, or one or two characters */
const term = (texts: string[]) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 7 }), fc.boolean())
        .map(([ti, start, len, upper]) => {
          const cps = [...(texts[ti % texts.length] ?? 'x')];
          const s = start % Math.max(1, cps.length);
          const piece = cps.slice(s, s + len).join('');
          return upper ? piece.toUpperCase() : piece;
        }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...FRAGMENTS) },
    { weight: 2, arbitrary: fc.constantFrom(...COMMON, 'KUBECTL', 'io', 'ubec') },
    {
      weight: 1,
      arbitrary: fc.string({
        minLength: 1,
        maxLength: 2,
        unit: fc.constantFrom('a', 'B', '库', '延', '%', '_', '\\', '"', 'д'),
      }),
    },
  );

/** terms are taken from the texts of one runbook, so that several terms can all match */
const query = (docs: string[][]): fc.Arbitrary<RunbookSearchQuery> =>
  fc.record({
    query: fc
      .nat(docs.length - 1)
      .chain((d) => fc.array(term(docs[d]), { maxLength: 3 }))
      .map((ts) => ts.join(' ')),
    service: fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      fc.constantFrom(null, 'svc-a', 'Svc-A', '库存'),
    ),
    tag: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, fc.constantFrom(null, 'zh', 'db', '%', '延迟')),
    limit: fc.constantFrom(undefined, 1, 3, 7),
  });

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const project = (r: RunbookSearchResult) => ({
  mode: r.mode,
  total: r.total,
  hits: r.hits.map((x) => ({ id: x.runbook.id, matchedIn: x.matchedIn })),
});

const sameOrder = (a: ReturnType<typeof project>, b: { hits: { id: string }[] }) =>
  a.hits.map((x) => x.id).join('\n') === b.hits.map((x) => x.id).join('\n');

function load(bed: Harness, ops: Op[]) {
  const applier = bed.module.appliers!.find((a) => a.kind === 'runbook.upsert')!;
  for (const o of ops) {
    if (o.kind === 'upsert') bed.upsertRunbook(o.r);
    else if (o.kind === 'remove') bed.apply('runbook.remove', { id: o.id });
    else bed.db.transaction(() => applier.reset!())();
  }
}

describe('indexed runbook search equals the plain SQL it replaced', () => {
  it('for random corpora, edits and queries', () => {
    const answered = new Map<string, number>(); // mode → queries with hits, so the property is not vacuous
    const rule = new Map<string, number>(); // terms of answered queries under / at / over half; rule-changed orders
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        h?.close();
        h = createHarness();
        load(h, ops);
        const rows = h.db.prepare('SELECT title, markdown, tags, alertnames FROM runbooks').all() as Record<
          string,
          string
        >[];
        const docs = rows.map((r) => [r.title, r.markdown, r.tags, r.alertnames]);
        fc.assert(
          fc.property(query(docs.length ? docs : [['empty']]), (q) => {
            const got = project(h!.module.handlers.runbooksSearch(q) as RunbookSearchResult);
            const want = oracleSearch(h!.db, q);
            expect(got).toEqual(want);
            if (got.total > 0) {
              answered.set(got.mode, (answered.get(got.mode) ?? 0) + 1);
              const { all, n } = termCounts(h!.db, splitTerms(q.query));
              for (const c of n.values()) {
                const side = 2 * c === all ? 'half' : 2 * c > all ? 'over' : 'under';
                rule.set(side, (rule.get(side) ?? 0) + 1);
              }
              if (got.hits.length > 1 && !sameOrder(got, previousSearch(h!.db, q)))
                rule.set('reordered', (rule.get('reordered') ?? 0) + 1);
            }
          }),
          { numRuns: 40 },
        );
      }),
      { numRuns: 40 },
    );
    for (const mode of ['all', 'fts', 'like', 'mixed']) expect(answered.get(mode) ?? 0).toBeGreaterThan(30);
    for (const side of ['under', 'half', 'over']) expect(rule.get(side) ?? 0).toBeGreaterThan(20);
    expect(rule.get('reordered') ?? 0).toBeGreaterThan(5); // queries whose order the rule changed
  });

  it('the gram index holds exactly the one- and two-character substrings LIKE sees', () => {
    // NUL ends what LIKE reads; lone surrogates and U+FFFE read as U+FFFD; only ASCII letters fold
    expect(likeCodePoints('Ab\u0000cd')).toEqual([0x61, 0x62]);
    expect(likeCodePoints('\uD800x\uFFFE😀')).toEqual([0xfffd, 0x78, 0xfffd, 0x1f600]);
    expect(likeCodePoints('ÉД')).toEqual([0xc9, 0x414]);
    expect(termGramToken('DB')).toBe(termGramToken('db'));
    expect(termGramToken('Дб')).not.toBe(termGramToken('дб'));
    expect(termGramToken('abc')).toBeNull();
    const tokens = new Set(gramTokens(['拉单', 'Ab']).split(' '));
    expect(tokens).toEqual(new Set(['拉', '单', '拉单', 'a', 'b', 'ab'].map((g) => termGramToken(g)))); // nothing across the two texts ("单a")
  });

  it('fills a missing gram index when the store opens (a database migrated to 007)', () => {
    h = createHarness();
    h.upsertRunbook({ id: 'x', title: '库存回传', markdown: 'kubectl io' });
    h.upsertRunbook({ id: 'y', title: 'other', markdown: 'nothing' });
    h.db.prepare("INSERT INTO runbook_grams (runbook_grams) VALUES ('delete-all')").run();
    expect(h.module.handlers.runbooksSearch({ query: 'io' })).toMatchObject({ total: 0 });
    createRunbookStore(h.db); // what the next start does
    const r = h.module.handlers.runbooksSearch({ query: 'io 库' }) as RunbookSearchResult;
    expect(r.hits.map((x) => x.runbook.id)).toEqual(['x']);
    expect(h.db.prepare('SELECT count(*) AS n FROM runbook_grams').get()).toEqual({ n: 2 });
  });
});
