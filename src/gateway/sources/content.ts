/**
 * File content both sources serve: runbooks (a folder of markdown with optional front matter), the roster
 * (one YAML document) and dashboards (Vigil YAML or Grafana JSON files). Read once at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDashboardFile, toDashboard, type DashboardSpec } from '@shared/dashboard-spec';
import { eventData, type EventDataOf } from '@shared/protocol';
import { RosterDocumentSchema } from '@shared/roster';
import { parseRunbook, parseUpdated } from '@shared/runbook-template';
import { describeZodError } from '@shared/rpc';
import type { SourceEvent } from '../source';

export interface LoadProblem {
  file: string;
  reason: string;
}

const MAX_RUNBOOK_BYTES = 2 * 1024 * 1024;

/**
 * Every `*.md` directly in `dir`. A file that cannot be used is reported in `problems` and skipped: one bad
 * document in a runbook repository must not hide the others.
 */
export function loadRunbooks(dir: string): { runbooks: EventDataOf<'runbook.upsert'>[]; problems: LoadProblem[] } {
  const runbooks: EventDataOf<'runbook.upsert'>[] = [];
  const problems: LoadProblem[] = [];
  if (!fs.existsSync(dir)) return { runbooks, problems: [{ file: dir, reason: 'runbook folder does not exist' }] };
  const seen = new Map<string, string>();
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => /\.md$/i.test(n))
    .sort()) {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    if (!st.isFile()) continue;
    if (st.size > MAX_RUNBOOK_BYTES) {
      problems.push({ file, reason: `larger than ${MAX_RUNBOOK_BYTES / 1024 / 1024} MB` });
      continue;
    }
    const markdown = fs.readFileSync(file, 'utf8');
    const doc = parseRunbook(markdown);
    if (doc.frontMatterError) problems.push({ file, reason: `${doc.frontMatterError} (served without it)` });
    const fm = doc.frontMatter ?? {};
    const id = fm.id ?? name.replace(/\.md$/i, '');
    if (seen.has(id)) {
      problems.push({ file, reason: `id "${id}" is already used by ${seen.get(id)}` });
      continue;
    }
    const parsed = eventData['runbook.upsert'].safeParse({
      id,
      title: fm.title || doc.title || id,
      service: fm.service || null,
      alertnames: [...new Set([...(fm.alertnames ?? []), ...(fm.alertname ?? [])])],
      tags: [...new Set(fm.tags ?? [])],
      owner: fm.owner || null,
      url: fm.url || null,
      markdown,
      updatedAt: parseUpdated(fm.updated) ?? Math.round(st.mtimeMs),
    });
    if (!parsed.success) {
      problems.push({ file, reason: describeZodError(parsed.error) });
      continue;
    }
    seen.set(id, name);
    runbooks.push(parsed.data);
  }
  return { runbooks, problems };
}

/** The roster document, validated; throws with the file name and the first problems when it is invalid. */
export function loadRoster(file: string): EventDataOf<'roster.upsert'> {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`roster ${file} cannot be read: ${(e as Error).message}`);
  }
  const doc = RosterDocumentSchema.safeParse(raw);
  if (!doc.success) {
    const why = describeZodError(doc.error, { first: 5 });
    throw new Error(`roster ${file} is not a valid roster document: ${why}`);
  }
  // id and name live beside the document fields; the schema strips them, so read them from the raw YAML
  const meta = (raw ?? {}) as { id?: unknown; name?: unknown };
  const id = typeof meta.id === 'string' && meta.id ? meta.id : path.basename(file).replace(/\.ya?ml$/i, '');
  const name = typeof meta.name === 'string' && meta.name ? meta.name : id;
  return { id, name, document: doc.data, updatedAt: Math.round(fs.statSync(file).mtimeMs) };
}

/** Dashboards from one file, or from every .yaml/.yml/.json file in a folder; throws on the first bad file. */
export function loadDashboards(fileOrDir: string): DashboardSpec[] {
  const files = fs.statSync(fileOrDir).isDirectory()
    ? fs
        .readdirSync(fileOrDir)
        .filter((n) => /\.(ya?ml|json)$/i.test(n))
        .sort()
        .map((n) => path.join(fileOrDir, n))
    : [fileOrDir];
  const specs = files.flatMap((f) => parseDashboardFile(f, fs.readFileSync(f, 'utf8')));
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.dashboard.id)) throw new Error(`two dashboards in ${fileOrDir} have the id "${s.dashboard.id}"`);
    ids.add(s.dashboard.id);
  }
  return specs;
}

export interface ContentOptions {
  runbooksDir?: string;
  rosterFile?: string;
  specs: readonly DashboardSpec[];
  now: number;
  /** runbook files that cannot be used (and a bad roster, when tolerated) are reported here */
  warn(message: string): void;
  /** a roster that cannot be read is warned about instead of failing the start (the demo) */
  tolerateBadRoster?: boolean;
}

/** The events a source starts with: runbooks, the roster, the dashboards (without fetchedAt), in that order. */
export function contentEvents(o: ContentOptions): SourceEvent[] {
  const events: SourceEvent[] = [];
  if (o.runbooksDir) {
    const { runbooks, problems } = loadRunbooks(o.runbooksDir);
    for (const p of problems) o.warn(`${p.file}: ${p.reason}`);
    events.push(...runbooks.map((data) => ({ kind: 'runbook.upsert' as const, data })));
  }
  if (o.rosterFile) {
    try {
      events.push({ kind: 'roster.upsert', data: loadRoster(o.rosterFile) });
    } catch (e) {
      if (!o.tolerateBadRoster) throw e;
      o.warn((e as Error).message);
    }
  }
  for (const spec of o.specs) {
    const { fetchedAt: _f, ...dashboard } = toDashboard(spec, o.now);
    events.push({ kind: 'dashboard.upsert', data: dashboard });
  }
  return events;
}
