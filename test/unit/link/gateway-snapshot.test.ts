/**
 * The gateway store's snapshot chunks (real SQLite in a temp dir). SQLite joins each chunk's items itself,
 * and a group over the byte budget is split item by item; the result must be exactly what packing one item
 * at a time gives: the reference below is that packing, over the same entities read back row by row.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FAMILY_ORDER } from '@gateway/entities';
import { openGatewayStore, type SqliteGatewayStore as GatewayStore } from '@gateway/sqlite/store';
import { alert } from '@test/integration/link/helpers';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function store(): GatewayStore {
  const d = tempDir('vigil-gw-snap-');
  const s = openGatewayStore(`${d.dir}/gateway.db`);
  cleanups.push(() => {
    s.close();
    d.cleanup();
  });
  return s;
}

/** every entity's snapshot item, in snapshot order, read back row by row */
function itemsOf(s: GatewayStore): string[] {
  const rows = s.db.prepare('SELECT kind, data FROM entities WHERE family = ? ORDER BY id');
  return FAMILY_ORDER.flatMap((f) => rows.all(f) as { kind: string; data: string }[]).map(
    (r) => `{"kind":${JSON.stringify(r.kind)},"data":${r.data}}`,
  );
}

/** what a snapshot sends, packed one item at a time: at most maxItems, and bytes + size <= maxBytes */
function reference(s: GatewayStore, maxItems: number, maxBytes: number) {
  const items = itemsOf(s);
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item) + 1;
    let cur = chunks[chunks.length - 1];
    if (cur.length && (cur.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push((cur = []));
      bytes = 0;
    }
    cur.push(item);
    bytes += size;
  }
  return { total: items.length, chunks: chunks.map((c) => ({ body: c.join(','), items: c.length })) };
}

const text = (n: number) => '值班'.repeat(n % 7) + 'x'.repeat(n);

/** entities of several families with sizes that vary a lot, some of them non-ASCII (bytes ≠ characters) */
const entities = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('alert.upsert'), i: fc.nat(500), pad: fc.nat(300) }).map(({ i, pad }) => ({
      kind: 'alert.upsert',
      data: alert(i, { annotations: { summary: text(pad) } }),
    })),
    fc.record({ i: fc.nat(50), pad: fc.nat(2000) }).map(({ i, pad }) => ({
      kind: 'roster.upsert',
      data: { id: `r${i}`, name: `Roster ${i}`, document: { note: text(pad) }, updatedAt: 1 },
    })),
    fc.record({ i: fc.nat(50), v: fc.nat(3) }).map(({ i, v }) => ({
      kind: 'checklist.template',
      data: { id: `t${i}`, version: v, template: { title: text(i) } },
    })),
    fc
      .nat(50)
      .map((i) => ({ kind: 'checklist.result', data: { runId: `run${i}`, result: { ok: i % 2 === 0 }, at: i } })),
  ),
  { maxLength: 80 },
);

describe('gateway store: snapshot chunks', () => {
  it('are exactly what packing one item at a time gives, for any entities and limits', () => {
    const limits = fc.record({
      maxItems: fc.integer({ min: 1, max: 30 }),
      // a budget right at, one under or one over what the first `prefix` items take: the edges of packing
      prefix: fc.integer({ min: 1, max: 40 }),
      delta: fc.integer({ min: -1, max: 1 }),
    });
    fc.assert(
      fc.property(entities, limits, (evs, { maxItems, prefix, delta }) => {
        const s = store();
        s.append(evs, 1);
        const sizes = itemsOf(s).map((i) => Buffer.byteLength(i) + 1);
        const maxBytes = Math.max(1, sizes.slice(0, prefix).reduce((a, b) => a + b, 0) + delta);
        const got = s.snapshot(maxItems, maxBytes);
        const want = reference(s, maxItems, maxBytes);
        expect(got.seq).toBe(s.head());
        expect(got.total).toBe(want.total);
        expect(got.chunks.map((c) => ({ body: c.body.toString('utf8'), items: c.items }))).toEqual(want.chunks);
        for (const c of got.chunks) {
          // every chunk is valid JSON array content with the number of items it claims
          expect(JSON.parse(`[${c.body.toString('utf8')}]`)).toHaveLength(c.items);
          // items plus one comma each (what the budget counts) fit, unless one item is over it alone
          if (c.items > 1) expect(c.body.length + 1).toBeLessThanOrEqual(maxBytes);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps families in snapshot order across chunk boundaries', () => {
    const s = store();
    s.append(
      [
        ...Array.from({ length: 7 }, (_, i) => ({ kind: 'alert.upsert', data: alert(i) })),
        { kind: 'checklist.template', data: { id: 'shift', version: 1, template: {} } },
        { kind: 'roster.upsert', data: { id: 'r', name: 'R', document: {}, updatedAt: 1 } },
      ],
      1,
    );
    const kinds = s
      .snapshot(3, 1_000_000)
      .chunks.flatMap((c) => (JSON.parse(`[${c.body.toString('utf8')}]`) as { kind: string }[]).map((i) => i.kind));
    expect(kinds).toEqual(['checklist.template', 'roster.upsert', ...Array(7).fill('alert.upsert')]);
  });

  it('an empty state is one empty chunk; an item over the budget travels alone', () => {
    const s = store();
    expect(s.snapshot(10, 1000)).toEqual({ seq: 0, total: 0, chunks: [{ body: Buffer.alloc(0), items: 0 }] });
    s.append(
      [
        { kind: 'alert.upsert', data: alert(1) },
        { kind: 'alert.upsert', data: alert(2, { annotations: { summary: 'x'.repeat(5000) } }) },
        { kind: 'alert.upsert', data: alert(3) },
      ],
      1,
    );
    expect(s.snapshot(10, 2000).chunks.map((c) => c.items)).toEqual([1, 1, 1]);
    expect(s.snapshot(10, 20_000).chunks.map((c) => c.items)).toEqual([3]);
  });
});
