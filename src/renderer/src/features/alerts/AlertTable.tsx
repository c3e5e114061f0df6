import { memo, useMemo, useRef, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { getCoreRowModel, useReactTable, type Table } from '@tanstack/react-table';
import { useApp } from '@renderer/stores/app';
import { SeverityBadge } from '@renderer/ui';
import { CLUSTER_COLUMN, columnsFor, gridTemplate, rowTexts, type AlertColumn, type CellInput, type Col } from './columns';
import { GridHeader } from './GridHeader';
import { layout, useLayout } from './layout';
import { fingerprintOf, fingerprintsOf, type AlertRow, type GroupRow } from './model';
import { useRowWindow } from './rowWindow';
import { alerts, useAlerts } from './store';

const ROW_HEIGHT = 30;
const OVERSCAN = 6;
const NO_ROWS: AlertRow[] = [];

/** The table's column model: TanStack Table owns order, visibility, sizing and sort; layout.ts keeps them. */
function useAlertTable(): { table: Table<AlertRow>; columns: AlertColumn[]; tx: ReturnType<typeof rowTexts>; version: unknown } {
  const { t, i18n } = useTranslation('alerts');
  const { order, hidden, sizes } = useLayout();
  const sort = useAlerts((s) => s.sort);
  const hasClusters = useAlerts((s) => s.clusters.length > 0);
  // the cluster column shows once any alert comes from a named cluster (and the person has not hidden it)
  const visibility = useMemo(() => ({ ...layout.visibility(hidden), ...(hasClusters ? {} : { [CLUSTER_COLUMN]: false }) }), [hidden, hasClusters]);
  const tx = useMemo(() => rowTexts(t, i18n.language), [t, i18n.language]);
  const columns = useMemo(() => columnsFor(tx), [tx]);
  const table = useReactTable({
    data: NO_ROWS,
    columns,
    getCoreRowModel: getCoreRowModel(),
    // the 100k-row pipeline sorts (model.ts); the table only holds which column and which way
    manualSorting: true,
    enableSortingRemoval: false,
    sortDescFirst: false,
    columnResizeMode: 'onChange',
    state: { columnOrder: order, columnVisibility: visibility, columnSizing: sizes, sorting: [{ id: sort.key, desc: sort.desc }] },
    onColumnOrderChange: layout.onOrder,
    onColumnVisibilityChange: layout.onVisibility,
    onColumnSizingChange: layout.onSizing,
    onSortingChange: layout.onSorting,
  });
  // what the header draws from: a new value exactly when one of them changes
  const version = useMemo(() => [order, hidden, sizes, sort, columns, hasClusters], [order, hidden, sizes, sort, columns, hasClusters]);
  return { table, columns, tx, version };
}

/**
 * The alert grid. The 100k-row pipeline (filter, sort, group) runs in model.ts; TanStack Table owns the
 * column model (useAlertTable); the rows inside the window (rowWindow.ts) are drawn by memoised row
 * components from the same column definitions, so scrolling and filtering cost the same at 100 or
 * 100,000 alerts, and a storm batch redraws only the rows whose alert, position or state changed.
 * Column widths reach the rows as one CSS variable on the grid: dragging a column wider redraws no row.
 */
export const AlertTable = memo(function AlertTable() {
  const { t } = useTranslation('alerts');
  const rows = useAlerts((s) => s.rows);
  const cursor = useAlerts((s) => s.cursor);
  const selected = useAlerts((s) => s.selected);
  const actionByFp = useAlerts((s) => s.actionByFp);
  // the text filter the drawn rows were computed for (set with them): tells a test or benchmark that the
  // rows of what was typed are on screen, not merely that a keystroke happened
  const filterText = useAlerts((s) => s.query.text);
  const now = useApp((s) => s.now);
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const items = useRowWindow({ scroller, head, rows, count: rows.length, cursor, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });
  const { table, columns, tx, version } = useAlertTable();

  const visible = table.getVisibleLeafColumns();
  // keyed by the ids, not react-table's array, so the rows' `cols` prop changes only when the columns do
  const visibleIds = visible.map((c) => c.id).join();
  const cols = useMemo(() => visibleIds.split(',').map((id) => columns.find((c) => c.id === id)!), [visibleIds, columns]);
  // a flex column nobody sized may shrink to its floor (the defaults fit a 1360 px window)
  const sized = table.getState().columnSizing;
  const { template, minWidth } = gridTemplate(
    visible.map((c) => {
      const def = c.columnDef as AlertColumn;
      return { id: c.id, size: c.getSize(), flex: def.flex, floor: sized[c.id] === undefined ? def.floor : undefined };
    }),
  );
  const style = { '--grid-cols': template, '--grid-min': `${minWidth}px` } as CSSProperties;
  const activeId = rows.length ? `alerts-row-${cursor}` : undefined;

  return (
    <div
      ref={scroller}
      className="alert-grid"
      role="grid"
      aria-label={t('table')}
      aria-rowcount={rows.length + 1}
      aria-colcount={cols.length}
      aria-multiselectable="true"
      aria-activedescendant={activeId}
      data-filter-text={filterText}
      tabIndex={0}
      style={style}
    >
      <GridHeader ref={head} table={table} version={version} />
      {/* The rows hang from a body of height 0, and a separate spacer makes the scroll height: a storm
          changes the row count every batch, and were the rows' container to grow with it, the browser
          would lay out every drawn row again each time. */}
      <div role="rowgroup" className="grid-body">
        {items.map((vi) => {
          const r = rows.at(vi.index);
          if (!r) return null;
          const current = vi.index === cursor;
          if (r.kind === 'group') return <GroupHeader key={`g:${r.key}`} g={r} index={vi.index} current={current} />;
          const fp = fingerprintOf(r);
          return (
            <AlertGridRow
              key={fp}
              r={r}
              index={vi.index}
              current={current}
              selected={selected.has(fp)}
              act={actionByFp.get(fp)}
              now={now}
              tx={tx}
              cols={cols}
            />
          );
        })}
      </div>
      <div className="grid-spacer" aria-hidden="true" style={{ height: rows.length * ROW_HEIGHT }} />
    </div>
  );
});

/** where row `index` is drawn, and what clicking it does */
function rowProps(index: number, fp: string | null) {
  return {
    id: `alerts-row-${index}`,
    'aria-rowindex': index + 2,
    style: { transform: `translateY(${index * ROW_HEIGHT}px)`, height: ROW_HEIGHT },
    onClick: () => {
      alerts.setCursor(index);
      if (fp) alerts.open(fp);
    },
  };
}

const AlertGridRow = memo(function AlertGridRow({ r, index, current, cols, ...c }: CellInput & { r: AlertRow; index: number; current: boolean; cols: readonly Col[] }) {
  const { a, display } = r.e;
  return (
    <div
      role="row"
      aria-selected={c.selected}
      aria-level={r.group === null ? undefined : 2}
      className={`grid-row alert-row sevrow-${a.severity} st-${display}${r.group === null ? '' : ' in-group'}${current ? ' current' : ''}`}
      {...rowProps(index, a.fingerprint)}
    >
      {cols.map((col) => (
        <div role="gridcell" key={col.id} className={`cell col-${col.id}`} translate={col.data ? 'no' : undefined}>
          {col.draw(r, c)}
        </div>
      ))}
    </div>
  );
});

const GroupHeader = memo(function GroupHeader({ g, index, current }: { g: GroupRow; index: number; current: boolean }) {
  const { t } = useTranslation('alerts');
  const selected = useAlerts((s) => s.selected);
  const name = g.values.map(([k, v]) => `${k}=${v || t('group.none')}`).join(' · ');
  const allSelected = g.members.every((e) => selected.has(e.a.fingerprint));
  return (
    <div role="row" aria-expanded={!g.collapsed} aria-level={1} className={`grid-row group-row${current ? ' current' : ''}`} {...rowProps(index, null)}>
      <div role="gridcell" className="cell col-select">
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={t('group.select', { name })}
          checked={allSelected}
          onChange={() => alerts.toggleSelect(fingerprintsOf(g))}
          onClick={(e) => e.stopPropagation()}
        />
      </div>
      <div role="gridcell" className="cell group-title">
        <button
          type="button"
          tabIndex={-1}
          className="twisty"
          aria-label={t(g.collapsed ? 'group.expand' : 'group.collapse', { name })}
          onClick={(e) => {
            e.stopPropagation();
            alerts.toggleGroup(g.key);
          }}
        >
          <span aria-hidden="true">{g.collapsed ? '▸' : '▾'}</span>
        </button>
        <SeverityBadge severity={g.worst} /> <strong>{t('group.row', { name, count: g.count })}</strong>{' '}
        <span className="muted">
          {(['P0', 'P1', 'P2', 'P3'] as const)
            .filter((s) => g.bySeverity[s])
            .map((s) => `${s}×${g.bySeverity[s]}`)
            .join(' ')}
        </span>
      </div>
    </div>
  );
});
