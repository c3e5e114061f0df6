import { useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useApp } from '../../stores/app';
import { fingerprintsOf, keyLabels, shortAge, type AlertRow, type GroupRow, type SortKey } from './model';
import { useRowWindow } from './rowWindow';
import { alerts, useAlerts } from './store';

const ROW_HEIGHT = 30;
const OVERSCAN = 12;

interface Col {
  id: string;
  sort: SortKey | null;
}

/**
 * The alert grid. The 100k-row pipeline (filter, sort, group) runs in model.ts; react-table supplies the
 * columns, header and cell rendering over the rows inside the window only (rowWindow.ts), so scrolling
 * and filtering cost the same at 100 or 100,000 alerts.
 */
export function AlertTable() {
  const { t } = useTranslation('alerts');
  const rows = useAlerts((s) => s.rows);
  const cursor = useAlerts((s) => s.cursor);
  const selected = useAlerts((s) => s.selected);
  const sort = useAlerts((s) => s.sort);
  const actionByFp = useAlerts((s) => s.actionByFp);
  const now = useApp((s) => s.now);
  const scroller = useRef<HTMLDivElement>(null);

  const head = useRef<HTMLDivElement>(null);
  const items = useRowWindow({ scroller, head, rows, count: rows.length, cursor, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });

  const columns = useMemo<(ColumnDef<AlertRow> & Col)[]>(
    () => [
      {
        id: 'select',
        sort: null,
        header: () => <span className="sr-only">{t('col.select')}</span>,
        cell: ({ row }) => {
          const a = row.original.e.a;
          return (
            <input
              type="checkbox"
              tabIndex={-1}
              aria-label={t('selectAlert', { name: a.alertname })}
              checked={selected.has(a.fingerprint)}
              onChange={() => alerts.toggleSelect([a.fingerprint])}
              onClick={(e) => e.stopPropagation()}
            />
          );
        },
      },
      {
        id: 'severity',
        sort: 'severity',
        header: () => t('col.severity'),
        cell: ({ row }) => <span className={`sev sev-${row.original.e.a.severity}`}>{row.original.e.a.severity}</span>,
      },
      {
        id: 'state',
        sort: 'state',
        header: () => t('col.state'),
        cell: ({ row }) => {
          const { e } = row.original;
          const act = actionByFp.get(e.a.fingerprint);
          return (
            <span className={`state state-${e.display}`}>
              {t(`state.${e.display}`)}
              {act && act.state !== 'confirmed' && (
                <span className={`badge progress-${act.state}`}>
                  {t('progressBadge', { action: t(`actionName.${act.type}`), state: t(`progress.${act.state}`) })}
                </span>
              )}
            </span>
          );
        },
      },
      { id: 'alertname', sort: 'alertname', header: () => t('col.alertname'), cell: ({ row }) => <strong>{row.original.e.a.alertname}</strong> },
      { id: 'summary', sort: 'summary', header: () => t('col.summary'), cell: ({ row }) => row.original.e.summary },
      {
        id: 'labels',
        sort: null,
        header: () => t('col.labels'),
        cell: ({ row }) =>
          keyLabels(row.original.e.a.labels).map(([k, v]) => (
            <span key={k} className="label-chip">
              {k}={v}
            </span>
          )),
      },
      { id: 'age', sort: 'age', header: () => t('col.age'), cell: ({ row }) => shortAge(now - row.original.e.a.startsAt) },
      { id: 'owner', sort: 'owner', header: () => t('col.owner'), cell: ({ row }) => row.original.e.owner },
    ],
    [t, selected, actionByFp, now],
  );

  // Only the alert rows inside the window go through react-table.
  const windowRows = useMemo(
    () => items.map((vi) => rows.at(vi.index)).filter((r): r is AlertRow => !!r && r.kind === 'alert'),
    [items, rows],
  );
  const table = useReactTable({
    data: windowRows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.e.a.fingerprint,
    manualSorting: true,
    state: { sorting: [{ id: sort.key, desc: sort.desc }] },
  });
  const activeId = rows.length ? `alerts-row-${cursor}` : undefined;

  return (
    <div
      ref={scroller}
      className="alert-grid"
      role="grid"
      aria-label={t('table')}
      aria-rowcount={rows.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={activeId}
      tabIndex={0}
    >
      <div role="rowgroup" className="grid-head" ref={head}>
        {table.getHeaderGroups().map((hg) => (
          <div role="row" aria-rowindex={1} className="grid-row" key={hg.id}>
            {hg.headers.map((h) => {
              const col = columns.find((c) => c.id === h.column.id)!;
              const active = col.sort && sort.key === col.sort;
              const label = flexRender(h.column.columnDef.header, h.getContext());
              return (
                <div
                  role="columnheader"
                  key={h.id}
                  className={`cell col-${h.column.id}`}
                  aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : undefined}
                >
                  {col.sort ? (
                    <button type="button" className="sort" tabIndex={-1} aria-label={t('sortBy', { column: t(`col.${h.column.id}`) })} onClick={() => alerts.sortBy(col.sort!)}>
                      {label}
                      {active && <span aria-hidden="true">{sort.desc ? ' ▼' : ' ▲'}</span>}
                    </button>
                  ) : (
                    label
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {/* The rows hang from a body of height 0, and a separate spacer makes the scroll height: a storm
          changes the row count every batch, and were the rows' container to grow with it, the browser
          would lay out every drawn row again each time. */}
      <div role="rowgroup" className="grid-body">
        {items.map((vi) => {
          const r = rows.at(vi.index);
          if (!r) return null;
          const style = { transform: `translateY(${vi.start}px)`, height: ROW_HEIGHT };
          const common = {
            id: `alerts-row-${vi.index}`,
            'aria-rowindex': vi.index + 2,
            style,
            onClick: () => {
              alerts.setCursor(vi.index);
              if (r.kind === 'alert') alerts.open(r.e.a.fingerprint);
            },
          };
          if (r.kind === 'group') return <GroupHeader key={`g:${r.key}`} g={r} current={vi.index === cursor} common={common} />;
          const row = table.getRow(r.e.a.fingerprint);
          return (
            <div
              key={r.e.a.fingerprint}
              role="row"
              aria-selected={selected.has(r.e.a.fingerprint)}
              aria-level={r.group === null ? undefined : 2}
              className={`grid-row alert-row sevrow-${r.e.a.severity} st-${r.e.display}${vi.index === cursor ? ' current' : ''}`}
              {...common}
            >
              {row.getVisibleCells().map((cell) => (
                <div role="gridcell" key={cell.id} className={`cell col-${cell.column.id}`}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      <div className="grid-spacer" aria-hidden="true" style={{ height: rows.length * ROW_HEIGHT }} />
    </div>
  );
}

function GroupHeader({ g, current, common }: { g: GroupRow; current: boolean; common: Record<string, unknown> }) {
  const { t } = useTranslation('alerts');
  const selected = useAlerts((s) => s.selected);
  const name = g.values.map(([k, v]) => `${k}=${v || t('group.none')}`).join(' · ');
  const allSelected = g.members.every((e) => selected.has(e.a.fingerprint));
  return (
    <div role="row" aria-expanded={!g.collapsed} aria-level={1} className={`grid-row group-row${current ? ' current' : ''}`} {...common}>
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
        <span className={`sev sev-${g.worst}`}>{g.worst}</span> <strong>{t('group.row', { name, count: g.count })}</strong>{' '}
        <span className="muted">
          {(['P0', 'P1', 'P2', 'P3'] as const)
            .filter((s) => g.bySeverity[s])
            .map((s) => `${s}×${g.bySeverity[s]}`)
            .join(' ')}
        </span>
      </div>
    </div>
  );
}
