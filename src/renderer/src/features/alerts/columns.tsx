/**
 * The alert table's columns: what each cell draws, its default width, whether it sorts, hides or moves;
 * and the layout a person saves (order, hidden, widths, sort) read back safely from settings.
 */
import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import type { ColumnDef } from '@tanstack/react-table';
import type { Alert } from '@shared/alerts';
import type { AlertAction } from '@shared/contract/alerts';
import type { AlertTableLayout } from '@shared/domain';
import { hiddenCharsIn, revealPlain } from '@shared/spoofing';
import { Revealed } from '@renderer/components/Revealed';
import { Badge, chipStyle, SeverityBadge } from '@renderer/ui';
import { DEFAULT_SORT, keyLabels, shortAge, SORT_KEYS, type AlertRow, type Sort, type SortKey } from './model';
import { alerts } from './store';

/** everything a cell draws from besides its row; each field is a prop of the memoised row */
export interface CellInput {
  selected: boolean;
  act: AlertAction | undefined;
  now: number;
  tx: RowTexts;
}

export interface Col {
  id: ColumnId;
  sort: SortKey | null;
  hideable: boolean;
  /** shows data (names, summaries), not UI text: marked translate="no" */
  data?: boolean;
  /** a column that takes the width left over */
  flex?: boolean;
  /**
   * a flex column at its default width shrinks down to this on a narrow window (so the default columns
   * fit a 1360 px window without a horizontal scrollbar); once a person sets its width, that width holds
   */
  floor?: number;
  draw(r: AlertRow, c: CellInput): ReactNode;
}

export type AlertColumn = ColumnDef<AlertRow> & Col;

/**
 * The words rows repeat, translated once per language: i18next's lookup and interpolation for every cell
 * of every row redrawn in a storm batch was a tenth of the renderer's time.
 */
export interface RowTexts {
  t: TFunction<'alerts'>;
  /** show `summary_zh` where an alert carries one */
  zh: boolean;
  state(display: string): string;
  select(name: string): string;
  progress(act: AlertAction): string;
  /** "ack expires in 12 min · extended 3×" for an acked alert whose ack has a known end */
  ackTime(a: Alert, now: number): string;
  /** the warning on an alert whose name or labels hide characters */
  hidden: string;
}

/** "ack expires in 12 min · extended 3×" (or "ack has run out"); '' when the platform says nothing about it */
export function ackTimeText(t: TFunction<'alerts'>, a: Alert, now: number): string {
  if (!a.ackedBy || a.ackExpiresAt == null) return '';
  const left = a.ackExpiresAt - now;
  const parts = [left > 0 ? t('detail.ackExpires', { minutes: Math.max(1, Math.ceil(left / 60_000)) }) : t('detail.ackExpired')];
  if (a.ackExtensions) parts.push(t('detail.ackExtended', { count: a.ackExtensions }));
  return parts.join(' · ');
}

export function rowTexts(t: TFunction<'alerts'>, lng: string): RowTexts {
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
    zh: lng === 'zh-CN',
    state: memo((d) => t(`state.${d}`)),
    select: memo((name) => t('selectAlert', { name })),
    progress: (act) => t('progressBadge', { action: t(`actionName.${act.type}`), state: t(`progress.${act.state}`) }),
    ackTime: (a, now) => ackTimeText(t, a, now),
    hidden: t('hiddenChars.short'),
  };
}

export const COLUMN_IDS = ['select', 'severity', 'state', 'cluster', 'alertname', 'summary', 'labels', 'age', 'owner'] as const;
/** columns a person may hide (the others identify the row) */
export const HIDEABLE: readonly ColumnId[] = ['state', 'cluster', 'summary', 'labels', 'age', 'owner'];
/** shown only once some alert comes from a named cluster (a single upstream has none) */
export const CLUSTER_COLUMN: ColumnId = 'cluster';
export type ColumnId = (typeof COLUMN_IDS)[number];

const SIZES: Record<ColumnId, { size: number; min: number }> = {
  select: { size: 32, min: 32 },
  severity: { size: 92, min: 56 },
  state: { size: 128, min: 72 },
  cluster: { size: 96, min: 56 },
  alertname: { size: 248, min: 96 },
  summary: { size: 300, min: 120 },
  labels: { size: 280, min: 96 },
  age: { size: 56, min: 44 },
  owner: { size: 104, min: 60 },
};

export const columnLimits = (id: ColumnId) => ({ min: SIZES[id].min, max: 1600, size: SIZES[id].size });

export function columnsFor(tx: RowTexts): AlertColumn[] {
  const { t } = tx;
  const col = (id: ColumnId, c: Omit<Col, 'id'> & { header: () => ReactNode }): AlertColumn => ({
    id,
    size: SIZES[id].size,
    minSize: SIZES[id].min,
    maxSize: 1600,
    enableSorting: c.sort !== null,
    // TanStack sorts (and offers a header's sort toggle) only for a column with an accessor; the rows are
    // sorted by model.ts's comparator, so the accessor only names what the column sorts by
    ...(c.sort !== null ? { accessorFn: (r: AlertRow) => r.e } : {}),
    enableHiding: c.hideable,
    enableResizing: id !== 'select',
    ...c,
  });
  return [
    col('select', {
      sort: null,
      hideable: false,
      header: () => <span className="sr-only">{t('col.select')}</span>,
      draw: (r, c) => (
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={tx.select(revealPlain(r.e.a.alertname))}
          checked={c.selected}
          onChange={() => alerts.toggleSelect([r.e.a.fingerprint])}
          onClick={(e) => e.stopPropagation()}
        />
      ),
    }),
    col('severity', { sort: 'severity', hideable: false, header: () => t('col.severity'), draw: (r) => <SeverityBadge severity={r.e.a.severity} /> }),
    col('state', {
      sort: 'state',
      hideable: true,
      header: () => t('col.state'),
      draw: ({ e }, { act, now }) => (
        <span className={`state state-${e.display}`} title={tx.ackTime(e.a, now) || undefined}>
          {tx.state(e.display)}
          {e.display === 'acked' && e.a.ackExpiresAt != null && <span className="muted ack-time">{tx.ackTime(e.a, now)}</span>}
          {act && act.state !== 'confirmed' && (
            <Badge tone={act.state === 'failed' ? 'danger' : 'warn'} className="progress">
              {tx.progress(act)}
            </Badge>
          )}
        </span>
      ),
    }),
    col('cluster', { sort: 'cluster', hideable: true, data: true, header: () => t('col.cluster'), draw: (r) => r.e.a.cluster ?? '' }),
    col('alertname', {
      sort: 'alertname',
      hideable: false,
      data: true,
      header: () => t('col.alertname'),
      // hidden characters drawn as marked code points, and a warning when the name or a label hides any
      draw: ({ e: { a: alert } }) => (
        <>
          <strong>
            <Revealed text={alert.alertname} />
          </strong>
          {hiddenCharsIn(alert).length > 0 && (
            <span className="hidden-warn" role="img" aria-label={tx.hidden} title={tx.hidden}>
              ⚠
            </span>
          )}
        </>
      ),
    }),
    col('summary', {
      sort: 'summary',
      hideable: true,
      flex: true,
      floor: 160,
      data: true,
      header: () => t('col.summary'),
      draw: (r) => <Revealed text={(tx.zh && r.e.summaryZh) || r.e.summary} />,
    }),
    // one element per chip: a storm batch mounts dozens of rows, and their DOM is most of the cost
    col('labels', {
      sort: null,
      hideable: true,
      flex: true,
      floor: 120,
      header: () => t('col.labels'),
      draw: (r) =>
        keyLabels(r.e.a.labels).map(([k, v]) => (
          <span key={k} className="label-chip label-chip-flat" style={chipStyle(k)}>
            <Revealed text={`${k}=${v}`} />
          </span>
        )),
    }),
    col('age', { sort: 'age', hideable: true, header: () => t('col.age'), draw: (r, c) => shortAge(c.now - r.e.a.startsAt) }),
    col('owner', { sort: 'owner', hideable: true, data: true, header: () => t('col.owner'), draw: (r) => r.e.owner }),
  ];
}

export const DEFAULT_LAYOUT: AlertTableLayout = { order: [...COLUMN_IDS], hidden: [], sizes: {}, sort: DEFAULT_SORT };

const isColumn = (id: string): id is ColumnId => (COLUMN_IDS as readonly string[]).includes(id);

/**
 * A saved layout made safe to apply: unknown columns dropped, new ones appended, the checkbox column first,
 * columns that cannot hide shown, widths within their limits, a sort key the model knows.
 */
export function sanitizeLayout(saved: AlertTableLayout | null): AlertTableLayout {
  if (!saved) return DEFAULT_LAYOUT;
  const order = [...new Set(saved.order.filter(isColumn))];
  // a column added since the layout was saved goes where it stands by default (after its predecessor)
  COLUMN_IDS.forEach((id, i) => {
    if (order.includes(id)) return;
    const after = i === 0 ? -1 : order.indexOf(COLUMN_IDS[i - 1]);
    order.splice(after + 1, 0, id);
  });
  const rest = order.filter((id) => id !== 'select');
  const hideable = new Set<string>(HIDEABLE);
  const sizes: Record<string, number> = {};
  for (const [id, px] of Object.entries(saved.sizes)) if (isColumn(id) && id !== 'select') sizes[id] = Math.max(SIZES[id].min, Math.min(1600, Math.round(px)));
  const sort: Sort = (SORT_KEYS as readonly string[]).includes(saved.sort.key) ? (saved.sort as Sort) : DEFAULT_SORT;
  return { order: ['select', ...rest], hidden: saved.hidden.filter((id) => hideable.has(id)), sizes, sort };
}

/**
 * The rows' grid tracks for the visible columns, in order, at their widths; the flex columns take the
 * rest. A flex column with a `floor` (at its default width) shares the width in proportion to its default
 * size and may shrink to the floor; one a person sized keeps that width as its least.
 */
export function gridTemplate(cols: readonly { id: string; size: number; flex?: boolean; floor?: number }[]): { template: string; minWidth: number } {
  let minWidth = 0;
  let flexed = false;
  const tracks = cols.map((c) => {
    if (c.flex && c.floor !== undefined) {
      flexed = true;
      minWidth += c.floor;
      return `minmax(${c.floor}px, ${c.size}fr)`;
    }
    minWidth += c.size;
    if (c.flex) {
      flexed = true;
      return `minmax(${c.size}px, 1fr)`;
    }
    return `${c.size}px`;
  });
  if (!flexed) tracks.push('minmax(0, 1fr)');
  return { template: tracks.join(' '), minWidth };
}
