/**
 * The alert grid's header row, drawn from TanStack Table's headers: a sort button per sortable column, a
 * menu per column (sort, move, width, hide) and a handle to drag its width. The grid is one tab stop
 * (its rows are chosen with j/k), so these take no Tab stop of their own; the Columns menu above the
 * table offers all of it from the keyboard.
 */
import { forwardRef, memo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { flexRender, type Header, type Table } from '@tanstack/react-table';
import { Menu, type MenuEntry } from '@renderer/ui';
import { CLUSTER_COLUMN, columnLimits, HIDEABLE, type ColumnId } from './columns';
import { layout, SIZE_STEP, useLayout } from './layout';
import type { AlertRow, SortKey } from './model';
import { useAlerts } from './store';

/** the columns this table cannot show now (the cluster column without clusters): menus leave them out */
function useAbsent(): ColumnId[] {
  return useAlerts((s) => s.clusters.length === 0) ? [CLUSTER_COLUMN] : [];
}

/**
 * The commands for one column, for its header menu and the Columns menu. `size`: its width now, read when a
 * command runs (the flex column is drawn wider than its set size; "wider" starts from what is on screen).
 */
export function useColumnEntries(): (id: ColumnId, size: () => number) => MenuEntry[] {
  const { t } = useTranslation('alerts');
  const { order: all, hidden } = useLayout();
  const absent = useAbsent();
  const order = all.filter((id) => !absent.includes(id as ColumnId));
  return (id, size) => {
    const at = order.indexOf(id);
    const sortable = id !== 'select' && id !== 'labels';
    const hideable = HIDEABLE.includes(id);
    const entries: MenuEntry[] = [];
    if (sortable)
      entries.push(
        { label: t('columns.sortAsc'), onSelect: () => layout.sort({ key: id as SortKey, desc: false }) },
        { label: t('columns.sortDesc'), onSelect: () => layout.sort({ key: id as SortKey, desc: true }) },
        { kind: 'separator' },
      );
    entries.push(
      { label: t('columns.moveLeft'), disabled: at <= 1, onSelect: () => layout.move(id, -1, absent) },
      { label: t('columns.moveRight'), disabled: at >= order.length - 1, onSelect: () => layout.move(id, 1, absent) },
      { label: t('columns.wider'), onSelect: () => layout.resize(id, size() + SIZE_STEP) },
      { label: t('columns.narrower'), onSelect: () => layout.resize(id, size() - SIZE_STEP) },
    );
    if (hideable)
      entries.push(
        { kind: 'separator' },
        { label: t('columns.hide'), disabled: hidden.includes(id), onSelect: () => layout.show(id, false) },
      );
    return entries;
  };
}

function HeaderCell({ h }: { h: Header<AlertRow, unknown> }) {
  const { t } = useTranslation('alerts');
  const entries = useColumnEntries();
  const id = h.column.id as ColumnId;
  const sorted = h.column.getIsSorted();
  const label = flexRender(h.column.columnDef.header, h.getContext());
  const name = t(`col.${id}`);
  const cell = useRef<HTMLDivElement>(null);
  const size = () => Math.max(h.getSize(), Math.round(cell.current?.getBoundingClientRect().width ?? 0));
  return (
    <div
      ref={cell}
      role="columnheader"
      className={`cell col-${id}`}
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
    >
      {h.column.getCanSort() ? (
        <button
          type="button"
          className="sort"
          tabIndex={-1}
          aria-label={t('sortBy', { column: name })}
          onClick={h.column.getToggleSortingHandler()}
        >
          {label}
          {sorted && <span aria-hidden="true">{sorted === 'desc' ? ' ▼' : ' ▲'}</span>}
        </button>
      ) : (
        <span className="head-label">{label}</span>
      )}
      {id !== 'select' && (
        <Menu
          label={t('columns.menuFor', { column: name })}
          trigger={<span aria-hidden="true">⋮</span>}
          items={entries(id, size)}
          tabIndex={-1}
          className="col-menu"
        />
      )}
      {h.column.getCanResize() && (
        <div
          role="separator"
          aria-orientation="vertical"
          aria-label={t('columns.resize', { column: name })}
          aria-valuenow={h.getSize()}
          aria-valuemin={h.column.columnDef.minSize}
          aria-valuemax={h.column.columnDef.maxSize}
          className={`resizer${h.column.getIsResizing() ? ' resizing' : ''}`}
          onMouseDown={h.getResizeHandler()}
          onTouchStart={h.getResizeHandler()}
          onDoubleClick={() => h.column.resetSize()}
          onClick={(e) => e.stopPropagation()}
        />
      )}
    </div>
  );
}

/**
 * Memoised on the layout (`version`): the table instance stays the same object, and a storm batch
 * re-rendering the grid must not re-render the header and its menus.
 */
export const GridHeader = memo(
  forwardRef<HTMLDivElement, { table: Table<AlertRow>; version: unknown }>(function GridHeader({ table }, ref) {
    return (
      <div role="rowgroup" className="grid-head" ref={ref}>
        {table.getHeaderGroups().map((hg) => (
          <div role="row" aria-rowindex={1} className="grid-row" key={hg.id}>
            {hg.headers.map((h) => (
              <HeaderCell key={h.id} h={h} />
            ))}
          </div>
        ))}
      </div>
    );
  }),
);

/** the drawn width of a column's header (0 when it is not drawn) */
const headerWidth = (id: ColumnId): number =>
  Math.round(document.querySelector(`[role="grid"] .grid-head .col-${id}`)?.getBoundingClientRect().width ?? 0);

/** The Columns menu above the table: every column's visibility, and each column's commands in a submenu. */
export function ColumnsMenu() {
  const { t } = useTranslation('alerts');
  const entries = useColumnEntries();
  const { order: all, hidden, sizes } = useLayout();
  const absent = useAbsent();
  const order = all.filter((id) => !absent.includes(id as ColumnId));
  const items: MenuEntry[] = [];
  for (const id of order as ColumnId[]) {
    if (id === 'select') continue;
    const name = t(`col.${id}`);
    const hideable = HIDEABLE.includes(id);
    if (hideable)
      items.push({ kind: 'check', label: name, checked: !hidden.includes(id), onChange: (c) => layout.show(id, c) });
    else items.push({ kind: 'check', label: name, checked: true, disabled: true, onChange: () => undefined });
  }
  items.push({ kind: 'separator' });
  for (const id of order as ColumnId[]) {
    if (id === 'select' || hidden.includes(id)) continue;
    const size = () => Math.max(sizes[id] ?? columnLimits(id).size, headerWidth(id));
    items.push({ kind: 'sub', label: t('columns.commandsFor', { column: t(`col.${id}`) }), items: entries(id, size) });
  }
  items.push({ kind: 'separator' }, { label: t('columns.reset'), onSelect: layout.reset });
  return <Menu label={t('columns.label')} items={items} align="end" />;
}
