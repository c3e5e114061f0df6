/**
 * The alert grid's row window (rowWindow.ts): which rows are drawn at a scroll position, and where to scroll
 * so the cursor row is in view. Both are closed-form arithmetic; here they are checked against references
 * that look at every row's pixels instead.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revealOffset, windowAt } from '@renderer/features/alerts/rowWindow';

/** the rows whose pixels [i·h, (i+1)·h) meet the viewport [offset, offset + height), found by looking at each one */
function visibleRows(offset: number, height: number, rowHeight: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * rowHeight < offset + height; i++) if ((i + 1) * rowHeight > offset) out.push(i);
  return out;
}

/** the window by the reference: the visible rows of the grid, `overscan` more above, `overscan` + 1 below, cut to the rows that exist */
function referenceWindow(offset: number, height: number, count: number, rowHeight: number, overscan: number): number[] {
  const seen = visibleRows(offset, height, rowHeight);
  const first = Math.max(0, seen[0] - overscan);
  const last = Math.min(count - 1, seen[seen.length - 1] + 1 + overscan);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(i);
  return out;
}

/** scroll positions in quarter pixels (what a HiDPI screen reports), heights and counts as the grid has them */
const rowHeight = fc.integer({ min: 1, max: 64 });
const quarterPx = (max: number) => fc.integer({ min: 0, max: max * 4 }).map((q) => q / 4);

describe('windowAt', () => {
  it('draws exactly the rows in view plus the overscan, contiguous, each at index × row height', () => {
    fc.assert(
      fc.property(
        rowHeight,
        quarterPx(20_000),
        quarterPx(2_000).filter((h) => h > 0),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 12 }),
        (rh, offset, height, count, overscan) => {
          const rows = windowAt(offset, height, count, rh, overscan);
          expect(rows.map((r) => r.index)).toEqual(referenceWindow(offset, height, count, rh, overscan));
          for (const r of rows) expect(r.start).toBe(r.index * rh);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never names a row that does not exist, and covers every existing row in view', () => {
    fc.assert(
      fc.property(
        rowHeight,
        quarterPx(5_000),
        quarterPx(1_000),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 5 }),
        (rh, offset, height, count, overscan) => {
          const drawn = new Set(windowAt(offset, height, count, rh, overscan).map((r) => r.index));
          for (const i of drawn) expect(i >= 0 && i < count).toBe(true);
          for (const i of visibleRows(offset, height, rh)) if (i < count) expect(drawn.has(i)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is empty with no rows, and starts at the top with the overscan cut at row 0', () => {
    expect(windowAt(0, 500, 0, 28, 8)).toEqual([]);
    expect(windowAt(1_000, 500, 0, 28, 8)).toEqual([]);
    // 500 px of 28 px rows: rows 0–17 meet the viewport, 18 is the one below it, then 8 of overscan
    expect(windowAt(0, 500, 100_000, 28, 8).map((r) => r.index)).toEqual(Array.from({ length: 27 }, (_, i) => i));
    // scrolled to the end of 100 rows: nothing past row 99
    expect(windowAt(99 * 28, 500, 100, 28, 8).map((r) => r.index)).toEqual(Array.from({ length: 9 }, (_, i) => 91 + i));
  });
});

describe('revealOffset', () => {
  /** where to scroll so row `i` is wholly in view, moving as little as possible: the reference looks at the range */
  function referenceReveal(i: number, rh: number, offset: number, height: number): number | null {
    const lowest = i * rh + rh - height; // the row's bottom on the viewport's bottom
    const highest = i * rh; // the row's top on the viewport's top
    const want = Math.min(highest, Math.max(lowest, offset));
    return want === offset ? null : want;
  }

  it('moves the least that shows the whole row, and not at all when it is already shown', () => {
    fc.assert(
      fc.property(
        rowHeight,
        fc.integer({ min: 0, max: 5_000 }),
        quarterPx(200_000),
        fc.integer({ min: 0, max: 2_000 }),
        (rh, i, offset, extra) => {
          const height = rh + extra; // a viewport at least one row tall, as the grid always is
          const r = revealOffset(i, rh, offset, height);
          expect(r).toBe(referenceReveal(i, rh, offset, height));
          const at = r ?? offset;
          expect(i * rh).toBeGreaterThanOrEqual(at);
          expect(i * rh + rh).toBeLessThanOrEqual(at + height);
          expect(revealOffset(i, rh, at, height)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('scrolls up to put the row at the top, down to put it at the bottom', () => {
    // rows of 28 px, 280 px in view scrolled to 1 400 (rows 50–59)
    expect(revealOffset(55, 28, 1_400, 280)).toBeNull();
    expect(revealOffset(50, 28, 1_400, 280)).toBeNull();
    expect(revealOffset(59, 28, 1_400, 280)).toBeNull();
    expect(revealOffset(49, 28, 1_400, 280)).toBe(49 * 28);
    expect(revealOffset(60, 28, 1_400, 280)).toBe(61 * 28 - 280);
    expect(revealOffset(0, 28, 1_400, 280)).toBe(0);
    // a row cut by the viewport's edge is not "in view"
    expect(revealOffset(50, 28, 1_401, 280)).toBe(1_400);
  });
});
