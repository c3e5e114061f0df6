/**
 * Roster import from files. YAML carries a whole roster document; CSV carries a contact sheet (one person
 * a row) merged into a roster. Every problem is reported with its line (and CSV row) so the author can
 * fix the file; a file with any problem stores nothing.
 */
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { isNode, LineCounter, parseDocument } from 'yaml';
import {
  IdSchema,
  PersonDocSchema,
  RosterDocumentSchema,
  type ImportIssue,
  type RosterDocument,
  type RosterImportRequest,
  type RosterPerson,
} from '@shared/roster';
import type { LoadedRoster, SaveRoster } from './store';
import { formatPath, validateRosterDocument, type DocIssue } from './validate';

export interface ImportOutcome {
  issues: ImportIssue[];
  /** what to store, when there are no issues */
  roster: SaveRoster | null;
}

const issue = (message: string, path = '(file)', line: number | null = null, row: number | null = null): ImportIssue => ({
  line,
  row,
  path,
  message,
});

// ---- YAML ----------------------------------------------------------------------------------------

export function importYaml(req: RosterImportRequest, existing: (id: string) => LoadedRoster | null, now: number): ImportOutcome {
  const lc = new LineCounter();
  const ydoc = parseDocument(req.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (ydoc.errors.length)
    return {
      roster: null,
      issues: ydoc.errors.map((e) => issue(`YAML syntax: ${e.message.split('\n')[0]}`, '(file)', lc.linePos(e.pos[0]).line)),
    };
  const raw = ydoc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { roster: null, issues: [issue('the file must be a YAML mapping with people, teams, rotations, overrides and policies')] };

  /** the line of the deepest node that exists on `path` (a missing key points at its parent) */
  const lineOf = (path: (string | number)[]): number | null => {
    for (let k = path.length; k >= 0; k--) {
      const node = k === 0 ? ydoc.contents : ydoc.getIn(path.slice(0, k), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
    return null;
  };
  const toIssues = (list: DocIssue[]) => list.map((i) => issue(i.message, formatPath(i.path), lineOf(i.path)));

  const top = raw as { id?: unknown; name?: unknown };
  const idRes = IdSchema.safeParse(req.rosterId ?? top.id);
  if (!idRes.success)
    return {
      roster: null,
      issues: [issue(top.id === undefined && !req.rosterId ? 'the roster needs an id: add `id:` at the top of the file' : `id: ${idRes.error.issues[0].message}`, 'id', lineOf(['id']))],
    };
  const v = validateRosterDocument(raw, true);
  if (!v.ok) return { roster: null, issues: toIssues(v.issues) };
  const name = req.name ?? (typeof top.name === 'string' && top.name.trim() ? top.name.trim() : (existing(idRes.data)?.name ?? idRes.data));
  return { issues: [], roster: { id: idRes.data, name, doc: v.doc, updatedAt: now, fetchedAt: now, origin: 'local' } };
}

// ---- CSV -----------------------------------------------------------------------------------------

/** `team` holds team ids separated by ";" (or "|"); `msteams` is the Microsoft Teams sign-in address. */
export const CSV_COLUMNS = ['id', 'name', 'role', 'team', 'phone', 'email', 'slack', 'dingtalk', 'msteams', 'wecom'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const ALIASES: Record<string, CsvColumn> = { teams_im: 'msteams', 'microsoft teams': 'msteams', mobile: 'phone', tel: 'phone', 'e-mail': 'email', mail: 'email', 'wechat work': 'wecom', wxwork: 'wecom' };

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');

export const DEFAULT_CSV_ROSTER = 'local';

export function importCsv(req: RosterImportRequest, existing: (id: string) => LoadedRoster | null, now: number): ImportOutcome {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(req.text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const line = err instanceof CsvError ? ((err as CsvError & { lines?: number }).lines ?? null) : null;
    return { roster: null, issues: [issue(`CSV: ${err instanceof Error ? err.message : String(err)}`, '(file)', line)] };
  }
  if (records.length === 0) return { roster: null, issues: [issue('the file is empty; the first line must name the columns')] };

  const issues: ImportIssue[] = [];
  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const columns: (CsvColumn | null)[] = header.map((h) => {
    const c = (CSV_COLUMNS as readonly string[]).includes(h) ? (h as CsvColumn) : (ALIASES[h] ?? null);
    if (!c) issues.push(issue(`unknown column "${h}" (known: ${CSV_COLUMNS.join(', ')})`, h, records[0].info.lines, 0));
    return c;
  });
  if (!columns.includes('name')) issues.push(issue('a "name" column is required', 'name', records[0].info.lines, 0));
  if (issues.length) return { roster: null, issues };

  const rosterIdRes = IdSchema.safeParse(req.rosterId ?? DEFAULT_CSV_ROSTER);
  if (!rosterIdRes.success) return { roster: null, issues: [issue(rosterIdRes.error.issues[0].message, 'rosterId')] };
  const rosterId = rosterIdRes.data;
  const base = existing(rosterId);
  const doc: RosterDocument = structuredClone(base?.doc ?? RosterDocumentSchema.parse({}));

  const seen = new Map<string, number>();
  const rows: { person: RosterPerson; teams: string[] }[] = [];
  records.slice(1).forEach(({ record, info }, i) => {
    const row = i + 1;
    const line = info.lines;
    const rowIssue = (path: string, message: string) => issues.push(issue(message, path, line, row));
    if (record.length !== header.length) {
      rowIssue('(row)', `has ${record.length} fields, the header has ${header.length}`);
      return;
    }
    const cell: Partial<Record<CsvColumn, string>> = {};
    columns.forEach((c, k) => c && record[k] !== '' && (cell[c] = record[k]));
    const id = cell.id ?? (cell.email ? slug(cell.email.split('@')[0]) : slug(cell.name ?? ''));
    if (!id) {
      rowIssue('id', 'no id: add an "id" column (the name has no letters an id can be made from)');
      return;
    }
    const parsed = PersonDocSchema.safeParse({
      id,
      name: cell.name,
      role: cell.role,
      phone: cell.phone,
      email: cell.email,
      im: { slack: cell.slack, dingtalk: cell.dingtalk, teams: cell.msteams, wecom: cell.wecom },
    });
    if (!parsed.success) {
      for (const iss of parsed.error.issues) {
        const key = iss.path[iss.path.length - 1];
        rowIssue(key === 'teams' ? 'msteams' : String(key ?? '(row)'), iss.message);
      }
      return;
    }
    const teams = (cell.team ?? '')
      .split(/[;|]/)
      .map((t) => t.trim())
      .filter(Boolean);
    for (const t of teams) {
      const r = IdSchema.safeParse(t);
      if (!r.success) rowIssue('team', `"${t}": ${r.error.issues[0].message}`);
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      rowIssue('id', `duplicate id "${parsed.data.id}" (also row ${first})`);
      return;
    }
    seen.set(parsed.data.id, row);
    rows.push({ person: parsed.data, teams });
  });
  if (rows.length === 0 && issues.length === 0) issues.push(issue('the file has a header but no people'));
  if (issues.length) return { roster: null, issues };

  // Merge: a row replaces the person with the same id; people not in the file stay; teams are joined.
  const byId = new Map(doc.people.map((p, i) => [p.id, i]));
  for (const { person, teams } of rows) {
    const at = byId.get(person.id);
    if (at === undefined) doc.people.push(person);
    // a CSV has no login or channel columns: what the YAML gave the person stays
    else doc.people[at] = { ...person, login: person.login ?? doc.people[at].login, channels: doc.people[at].channels };
    for (const t of teams) {
      let team = doc.teams.find((x) => x.id === t);
      if (!team) doc.teams.push((team = { id: t, name: t, description: null, members: [], channels: [] }));
      if (!team.members.includes(person.id)) team.members.push(person.id);
    }
  }
  const v = validateRosterDocument(doc, true);
  if (!v.ok) return { roster: null, issues: v.issues.map((i) => issue(i.message, formatPath(i.path))) };
  return {
    issues: [],
    roster: { id: rosterId, name: req.name ?? base?.name ?? rosterId, doc: v.doc, updatedAt: now, fetchedAt: now, origin: 'local' },
  };
}
