/** The alert table's saved column layout is read back safely, and the grid tracks follow it. */
import { describe, expect, it } from 'vitest';
import { COLUMN_IDS, DEFAULT_LAYOUT, gridTemplate, sanitizeLayout } from '@renderer/features/alerts/columns';

describe('alert table layout', () => {
  it('nothing saved: the built-in layout', () => {
    expect(sanitizeLayout(null)).toBe(DEFAULT_LAYOUT);
  });

  it('a saved layout from an older or edited settings row is made safe to apply', () => {
    const l = sanitizeLayout({
      order: ['owner', 'gone', 'select', 'alertname', 'owner'],
      hidden: ['owner', 'alertname', 'select', 'nope'],
      sizes: { owner: 5, summary: 99_999, select: 400, gone: 100, age: 80.6 },
      sort: { key: 'nope', desc: true },
    });
    // the checkbox column first, duplicates and unknown columns dropped, the missing ones where they stand by default
    expect(l.order).toEqual(['select', 'owner', 'severity', 'state', 'cluster', 'alertname', 'summary', 'labels', 'age']);
    expect([...l.order].sort()).toEqual([...COLUMN_IDS].sort());
    // columns that cannot hide stay shown
    expect(l.hidden).toEqual(['owner']);
    // widths within each column's limits, the checkbox column's never saved
    expect(l.sizes).toEqual({ owner: 60, summary: 1600, age: 81 });
    expect(l.sort).toEqual(DEFAULT_LAYOUT.sort);
    expect(sanitizeLayout({ ...l, sort: { key: 'age', desc: true } }).sort).toEqual({ key: 'age', desc: true });
  });

  it('a layout saved before the cluster column existed gets it after the state column, the rest as saved', () => {
    const older = ['select', 'alertname', 'severity', 'state', 'summary', 'labels', 'age', 'owner'];
    const l = sanitizeLayout({ order: older, hidden: ['age'], sizes: {}, sort: { key: 'cluster', desc: false } });
    expect(l.order).toEqual(['select', 'alertname', 'severity', 'state', 'cluster', 'summary', 'labels', 'age', 'owner']);
    expect(l.hidden).toEqual(['age']);
    // the cluster column sorts (by the alert's cluster)
    expect(l.sort).toEqual({ key: 'cluster', desc: false });
  });

  it('grid tracks: each column at its width, the flex column takes what is left', () => {
    expect(gridTemplate([{ id: 'a', size: 30 }, { id: 'summary', size: 200, flex: true }, { id: 'b', size: 50 }])).toEqual({
      template: '30px minmax(200px, 1fr) 50px',
      minWidth: 280,
    });
    // flex columns at their default width share the rest by their default sizes and shrink to their floors
    // (issue #18: the defaults overflowed a 1360 px window); a person's width holds as the least
    expect(
      gridTemplate([
        { id: 'a', size: 30 },
        { id: 'summary', size: 300, flex: true, floor: 160 },
        { id: 'labels', size: 280, flex: true, floor: 120 },
        { id: 'b', size: 50 },
      ]),
    ).toEqual({ template: '30px minmax(160px, 300fr) minmax(120px, 280fr) 50px', minWidth: 360 });
    expect(gridTemplate([{ id: 'summary', size: 420, flex: true }, { id: 'labels', size: 280, flex: true, floor: 120 }])).toEqual({
      template: 'minmax(420px, 1fr) minmax(120px, 280fr)',
      minWidth: 540,
    });
    // the flex column hidden: a last track takes the rest, so rows still fill the grid
    expect(gridTemplate([{ id: 'a', size: 30 }, { id: 'b', size: 50 }]).template).toBe('30px 50px minmax(0, 1fr)');
  });
});
