import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type SortingState,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterPerson } from '@shared/roster';
import { CheckField, Select } from '@renderer/ui';
import { ContactLinks } from './ContactLinks';
import type { ParsedRoster, RotationNow } from './store';

interface Row {
  person: RosterPerson;
  teams: string[];
  onCall: string[];
  /** everything the search box matches against */
  haystack: string;
}

const col = createColumnHelper<Row>();

/** The roster's people with search, team/role filters and "on call now only"; sortable by column. */
export function PeopleTable({ roster, onCall }: { roster: ParsedRoster; onCall: RotationNow[] }) {
  const { t } = useTranslation('roster');
  const [search, setSearch] = useState('');
  const [team, setTeam] = useState('');
  const [role, setRole] = useState('');
  const [onlyOnCall, setOnlyOnCall] = useState(false);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'name', desc: false }]);
  const doc = roster.doc!;
  const labels: Record<string, string> = {
    name: t('people.colName'),
    role: t('people.colRole'),
    teams: t('people.colTeams'),
    onCall: t('people.colOnCall'),
    contact: t('people.colContact'),
  };

  const rows = useMemo<Row[]>(() => {
    const teamNames = new Map(doc.teams.map((x) => [x.id, x.name]));
    return doc.people.map((person) => {
      const teams = doc.teams.filter((x) => x.members.includes(person.id)).map((x) => teamNames.get(x.id) ?? x.id);
      const onCallHere = onCall.filter((r) => r.now.personId === person.id).map((r) => r.rotation.name);
      const im = Object.values(person.im).filter(Boolean).join(' ');
      return {
        person,
        teams,
        onCall: onCallHere,
        haystack: [person.name, person.id, person.role, person.phone, person.email, im, ...teams].join(' ').toLowerCase(),
      };
    });
  }, [doc, onCall]);

  const data = useMemo(
    () =>
      rows.filter(
        (r) =>
          (!team || r.teams.includes(team)) &&
          (!role || r.person.role === role) &&
          (!onlyOnCall || r.onCall.length > 0),
      ),
    [rows, team, role, onlyOnCall],
  );

  const columns = useMemo(
    () => [
      col.accessor((r) => r.person.name, { id: 'name', header: () => labels.name }),
      col.accessor((r) => r.person.role ?? '', { id: 'role', header: () => labels.role }),
      col.accessor((r) => r.teams.join(', '), { id: 'teams', header: () => labels.teams }),
      col.accessor((r) => r.onCall.join(', '), {
        id: 'onCall',
        header: () => labels.onCall,
        cell: (c) =>
          c.row.original.onCall.map((rot) => (
            <span key={rot} className="roster-badge">
              {t('people.onCallBadge', { rotation: rot })}
            </span>
          )),
      }),
      col.display({
        id: 'contact',
        header: () => labels.contact,
        cell: (c) => <ContactLinks person={c.row.original.person} slackTeam={doc.workspace.slackTeam} />,
      }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- labels follow `t`
    [t, doc.workspace.slackTeam],
  );

  const table = useReactTable({
    data,
    columns,
    state: { sorting, globalFilter: search },
    onSortingChange: setSorting,
    onGlobalFilterChange: setSearch,
    globalFilterFn: (row, _id, value: string) => row.original.haystack.includes(value.trim().toLowerCase()),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });

  const teams = useMemo(() => [...new Set(rows.flatMap((r) => r.teams))].sort(), [rows]);
  const roles = useMemo(() => [...new Set(rows.map((r) => r.person.role).filter((x): x is string => !!x))].sort(), [rows]);
  const shown = table.getRowModel().rows;

  return (
    <section aria-labelledby="roster-people" className="card roster-section">
      <h2 id="roster-people" className="card-title">
        {t('people.heading')}
      </h2>
      <div className="roster-filters" role="search">
        <input type="search" aria-label={t('people.search')} value={search} placeholder={t('people.searchPlaceholder')} onChange={(e) => setSearch(e.target.value)} />
        <ChoiceFilter label={t('people.team')} all={t('people.allTeams')} value={team} options={teams} onChange={setTeam} />
        <ChoiceFilter label={t('people.role')} all={t('people.allRoles')} value={role} options={roles} onChange={setRole} />
        <CheckField label={t('people.onCallOnly')} checked={onlyOnCall} onChange={setOnlyOnCall} />
        <span className="muted" role="status">
          {t('people.count', { count: shown.length })}
        </span>
      </div>
      <table aria-labelledby="roster-people">
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                const label = flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th key={h.id} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                    {h.column.getCanSort() ? (
                      <button
                        type="button"
                        className="roster-sort"
                        aria-label={t('people.sortBy', { column: labels[h.column.id] })}
                        onClick={h.column.getToggleSortingHandler()}
                      >
                        {label} {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id}>
              {r.getVisibleCells().map((c) => (
                <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="empty">{t('people.none')}</p>}
    </section>
  );
}

/** A select over `options` with an "all" entry (the empty value), named by `label`. */
function ChoiceFilter(p: { label: string; all: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return <Select aria-label={p.label} value={p.value} onChange={p.onChange} options={[{ value: '', label: p.all }, ...p.options.map((x) => ({ value: x, label: x }))]} />;
}
