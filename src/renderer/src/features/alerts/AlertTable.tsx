import { memo, useMemo, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import type { Alert } from '@shared/alerts';
import type { AlertAction } from '@shared/contract/alerts';
import { hiddenCharsIn, revealPlain } from '@shared/spoofing';
import { Revealed } from '@renderer/components/Revealed';
import { useApp } from '@renderer/stores/app';
import { fingerprintOf, fingerprintsOf, keyLabels, shortAge, type AlertRow, type GroupRow, type SortKey } from './model';
import { useRowWindow } from './rowWindow';
import { alerts, useAlerts } from './store';

const ROW_HEIGHT = 30;
const OVERSCAN = 6;
const NO_ROWS: AlertRow[] = [];

/** everything a cell draws from besides its row; each field is a prop of the memoised row */
interface CellInput {
  selected: boolean;
  act: AlertAction | undefined;
  now: number;
  tx: RowTexts;
}

interface Col {
  id: string;
  sort: SortKey | null;
  draw(r: AlertRow, c: CellInput): ReactNode;
}

/**
 * The words rows repeat, translated once per language: i18next's lookup and interpolation for every cell
 * of every row redrawn in a storm batch was a tenth of the renderer's time.
 */
interface RowTexts {
  t: TFunction<'alerts'>;
  state(display: string): string;
  /** "12 min · extended 3×" for an acked alert with a known ack expiry */
  ackTime(a: Alert, now: number): string;
  select(name: string): string;
  progress(act: AlertAction): string;
  /** the warning on an alert whose name or labels hide characters */
  hidden: string;
}

function rowTexts(t: TFunction<'alerts'>): RowTexts {
  const memo = (fn: (key: string) => string) => {
    const seen = new Map<string, string>();
    return (key: string) => {
      let v = seen.get(key);
      if (v === undefined) seen.set(key, (v = fn(key)));
      return v;
    };
  };
  return {
    t,
    state: memo((d) => t(`state.${d}`)),
    select: memo((name) => t('selectAlert', { name })),
    progress: (act) => t('progressBadge', { action: t(`actionName.${act.type}`), state: t(`progress.${act.state}`) }),
    ackTime: (a, now) => ackTimeText(t, a, now),
    hidden: t('hiddenChars.short'),
  };
}

/** "ack expires in 12 min · extended 3×" (or "ack has run out"); '' when the platform says nothing about it */
export function ackTimeText(t: TFunction<'alerts'>, a: Alert, now: number): string {
  if (!a.ackedBy || a.ackExpiresAt == null) return '';
  const left = a.ackExpiresAt - now;
  const parts = [left > 0 ? t('detail.ackExpires', { minutes: Math.max(1, Math.ceil(left / 60_000)) }) : t('detail.ackExpired')];
  if (a.ackExtensions) parts.push(t('detail.ackExtended', { count: a.ackExtensions }));
  return parts.join(' · ');
}

function columnsFor(tx: RowTexts): (ColumnDef<AlertRow> & Col)[] {
  const { t } = tx;
  return [
    {
      id: 'select',
      sort: null,
      header: () => <span className="sr-only">{t('col.select')}</span>,
      draw: (r, c) => {
        const a = r.e.a;
        return (
          <input
            type="checkbox"
            tabIndex={-1}
            aria-label={tx.select(revealPlain(a.alertname))}
            checked={c.selected}
            onChange={() => alerts.toggleSelect([a.fingerprint])}
            onClick={(e) => e.stopPropagation()}
          />
        );
      },
    },
    { id: 'severity', sort: 'severity', header: () => t('col.severity'), draw: ({ e: { a: alert } }) => <span className={`sev sev-${alert.severity}`}>{alert.severity}</span> },
    {
      id: 'state',
      sort: 'state',
      header: () => t('col.state'),
      draw: ({ e }, { act, now }) => (
        <span className={`state state-${e.display}`} title={tx.ackTime(e.a, now) || undefined}>
          {tx.state(e.display)}
          {e.display === 'acked' && e.a.ackExpiresAt != null && <span className="muted ack-time"> {tx.ackTime(e.a, now)}</span>}
          {act && act.state !== 'confirmed' && <span className={`badge progress-${act.state}`}>{tx.progress(act)}</span>}
        </span>
      ),
    },
    { id: 'cluster', sort: null, header: () => t('col.cluster'), draw: ({ e: { a: alert } }) => alert.cluster ?? '' },
    {
      id: 'alertname',
      sort: 'alertname',
      header: () => t('col.alertname'),
      // hidden characters drawn as marked code points, and a warning when the name or a label hides any
      draw: ({ e: { a: alert } }, c) => (
        <>
          <strong>
            <Revealed text={alert.alertname} />
          </strong>
          {hiddenCharsIn(alert).length > 0 && (
            <span className="hidden-warn" role="img" aria-label={c.tx.hidden} title={c.tx.hidden}>
              ⚠
            </span>
          )}
        </>
      ),
    },
    { id: 'summary', sort: 'summary', header: () => t('col.summary'), draw: (r) => <Revealed text={r.e.summary} /> },
    {
      id: 'labels',
      sort: null,
      header: () => t('col.labels'),
      draw: ({ e: { a: alert } }) =>
        keyLabels(alert.labels).map(([k, v]) => (
          <span key={k} className="label-chip">
            <Revealed text={`${k}=${v}`} />
          </span>
        )),
    },
    { id: 'age', sort: 'age', header: () => t('col.age'), draw: ({ e: { a: alert } }, c) => shortAge(c.now - alert.startsAt) },
    { id: 'owner', sort: 'owner', header: () => t('col.owner'), draw: (r) => r.e.owner },
  ];
}

/**
 * The alert grid. The 100k-row pipeline (filter, sort, group) runs in model.ts; react-table supplies the
 * column model and the header; the rows inside the window (rowWindow.ts) are drawn by memoised row
 * components from the same column definitions, so scrolling and filtering cost the same at 100 or
 * 100,000 alerts, and a storm batch redraws only the rows whose alert, position or state changed.
 *
 * Memoised itself: it takes no props, so the view around it re-rendering (link state, freshness, counts,
 * several times a second in a storm) does not redraw the grid.
 */
export const AlertTable = memo(function AlertTable() {
  const { t } = useTranslation('alerts');
  const rows = useAlerts((s) => s.rows);
  const cursor = useAlerts((s) => s.cursor);
  const selected = useAlerts((s) => s.selected);
  const sort = useAlerts((s) => s.sort);
  const hasClusters = useAlerts((s) => s.clusters.length > 0);
  const actionByFp = useAlerts((s) => s.actionByFp);
  const now = useApp((s) => s.now);
  const scroller = useRef<HTMLDivElement>(null);

  const head = useRef<HTMLDivElement>(null);
  const items = useRowWindow({ scroller, head, rows, count: rows.length, cursor, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });

  const tx = useMemo(() => rowTexts(t), [t]);
  const columns = useMemo(() => columnsFor(tx), [tx]);
  const table = useReactTable({
    data: NO_ROWS,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    // the cluster column shows once any alert comes from a cluster
    state: { sorting: [{ id: sort.key, desc: sort.desc }], columnVisibility: { cluster: hasClusters } },
  });
  // keyed by the ids, not react-table's array, so the rows' `cols` prop changes only when the columns do
  const visibleIds = table
    .getVisibleLeafColumns()
    .map((c) => c.id)
    .join();
  const cols = useMemo(() => visibleIds.split(',').map((id) => columns.find((c) => c.id === id)!), [visibleIds, columns]);
  const activeId = rows.length ? `alerts-row-${cursor}` : undefined;

  return (
    <div
      ref={scroller}
      className={`alert-grid${hasClusters ? ' with-cluster' : ''}`}
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
      className={`grid-row alert-row sevrow-${a.severity} st-${display}${current ? ' current' : ''}`}
      {...rowProps(index, a.fingerprint)}
    >
      {cols.map((col) => (
        <div role="gridcell" key={col.id} className={`cell col-${col.id}`}>
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
});
