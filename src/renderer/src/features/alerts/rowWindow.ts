/**
 * Row virtualisation for a grid whose rows all have one fixed height. Where a row is and which rows are in
 * view are arithmetic on the scroll position, so nothing is kept per row: a general virtualiser keeps a
 * position per row and recomputes all 100k of them whenever the count changes, which in a storm is every
 * batch (a few MB of garbage each time, and the GC pauses that come with it).
 *
 * The cursor row is kept in view without asking the browser for sizes or forcing a layout in the middle of
 * a keystroke or storm batch: when it is out of view, the render that moved it already draws the rows
 * around it, and the scroll position follows at the start of the next frame (requestAnimationFrame), whose
 * style and layout pass the browser runs anyway. Setting it in a layout effect instead forced that style
 * and layout into the task that applied the batch, and was 40% of the longest tasks of a storm.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';

export interface WindowRow {
  index: number;
  /** px from the top of the body */
  start: number;
}

/** the scroll position that brings row `i` into a body `height` px tall scrolled to `offset`; null when in view */
export function revealOffset(i: number, rowHeight: number, offset: number, height: number): number | null {
  const top = i * rowHeight;
  if (top < offset) return top;
  if (top + rowHeight > offset + height) return top + rowHeight - height;
  return null;
}

/** the rows to draw when scrolled to `offset` with `height` px in view, `overscan` more on each side */
export function windowAt(offset: number, height: number, count: number, rowHeight: number, overscan: number): WindowRow[] {
  const first = Math.max(0, Math.floor(offset / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((offset + height) / rowHeight) + overscan);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, k) => ({ index: first + k, start: (first + k) * rowHeight }));
}

/**
 * The rows of `scroller` to draw: `count` rows of `rowHeight` px below a sticky header (`head`). When the
 * cursor moves or the rows change (`rows`: their identity), the row `cursor` is brought into view; the user
 * scrolling away from it is left alone. Renders again only when the first row in view or the viewport
 * changes.
 */
export function useRowWindow(opts: {
  scroller: RefObject<HTMLElement | null>;
  head: RefObject<HTMLElement | null>;
  rows: unknown;
  count: number;
  cursor: number;
  rowHeight: number;
  overscan: number;
}): WindowRow[] {
  const { scroller, head, rows, count, cursor, rowHeight, overscan } = opts;
  const offset = useRef(0);
  /** the frame request that will scroll to `offset` (0: none pending) */
  const pending = useRef(0);
  const [view, setView] = useState({ first: 0, height: 0, head: 0 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => {
      // while a reveal waits for its frame, the rows are drawn for where it will scroll, not for scrollTop
      if (!pending.current) offset.current = el.scrollTop;
      const next = { first: Math.floor(offset.current / rowHeight), height: el.clientHeight, head: head.current?.offsetHeight ?? 0 };
      setView((v) => (v.first === next.first && v.height === next.height && v.head === next.head ? v : next));
    };
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resized = new ResizeObserver(update);
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resized.disconnect();
    };
  }, [scroller, head, rowHeight]);

  const shown = useRef<{ cursor: number; rows: unknown } | null>(null);
  const moved = shown.current?.cursor !== cursor || shown.current?.rows !== rows;
  const reveal = moved && view.height && cursor < count ? revealOffset(cursor, rowHeight, offset.current, view.height - view.head) : null;
  useLayoutEffect(() => {
    shown.current = { cursor, rows };
    const el = scroller.current;
    if (reveal === null || !el) return;
    offset.current = reveal;
    cancelAnimationFrame(pending.current);
    pending.current = requestAnimationFrame(() => {
      pending.current = 0;
      el.scrollTop = reveal;
    });
  });
  useEffect(() => () => cancelAnimationFrame(pending.current), []);

  const at = reveal ?? offset.current;
  const first = Math.floor(at / rowHeight);
  // `first` rather than `at`: scrolling within a row draws the same rows
  return useMemo(() => windowAt(first * rowHeight, view.height + rowHeight, count, rowHeight, overscan), [first, view.height, count, rowHeight, overscan]);
}
