/** One gate for roster documents, whether synced or imported: shapes, references, then the schedule. */
import { scheduleProblems } from '@shared/rotation';
import { RosterDocumentSchema, type RosterDocument } from '@shared/roster';

export type DocPath = (string | number)[];
export interface DocIssue {
  path: DocPath;
  message: string;
}

export type Validated = { ok: true; doc: RosterDocument; warnings: DocIssue[] } | { ok: false; issues: DocIssue[] };

/** `rotations[1].participants[0]` */
export function formatPath(path: DocPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(document)';
}

/**
 * Schema and reference errors always refuse the document. Schedule problems (a swap naming the wrong
 * person) refuse an import, where the author can fix the file, but only warn for a synced document: the
 * platform's roster is still the best knowledge there is, and refusing it would leave an older one.
 */
export function validateRosterDocument(raw: unknown, strictSchedule: boolean): Validated {
  const parsed = RosterDocumentSchema.safeParse(raw ?? {});
  if (!parsed.success)
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })) };
  const problems = scheduleProblems(parsed.data);
  if (problems.length && strictSchedule) return { ok: false, issues: problems };
  return { ok: true, doc: parsed.data, warnings: problems };
}
