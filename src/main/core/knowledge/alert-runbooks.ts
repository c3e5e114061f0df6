/**
 * Alert ↔ runbook. An alert's `runbook_url` annotation wins: a cached runbook known by that URL (or whose id
 * the annotation is) opens locally — that is the point of the offline copy; an http(s) URL Vigil has no copy
 * of opens in the browser through the vetted opener. Without the annotation, a runbook that lists the
 * alert's name opens. The reverse view (a runbook's firing alerts) uses the same resolution, so the two
 * directions never disagree.
 */
import { displayState, type Alert } from '@shared/alerts';
import { checkExternalUrl } from '@shared/external-urls';
import type { RunbookAlert, RunbookRef, RunbookSummary } from '@shared/runbooks';
import { rowToAlert } from '../alerts/repo';
import type { DB } from '@node/sqlite';
import { SUMMARY_COLUMNS, toSummary, type RunbookRow } from './runbook-store';

/** the annotation names in use for an alert's runbook (Prometheus convention first) */
const ANNOTATIONS = ['runbook_url', 'runbook', 'runbookUrl'] as const;

export function runbookAnnotation(a: Pick<Alert, 'annotations'>): string | null {
  for (const k of ANNOTATIONS) {
    const v = a.annotations[k]?.trim();
    if (v) return v;
  }
  return null;
}

/** URL variants that name the same page: with and without a trailing slash, without a fragment */
export function urlVariants(u: string): string[] {
  const base = u.replace(/#.*$/, '');
  const bare = base.replace(/\/+$/, '');
  return [...new Set([u, base, bare, `${bare}/`])];
}

type Row = Omit<RunbookRow, 'markdown' | 'doc' | 'source_root' | 'source_path'>;

export function createAlertRunbooks(db: DB) {
  type AlertRow = Parameters<typeof rowToAlert>[0];
  const s = {
    // one read of the alerts table; the alerts module owns the only AlertRepo
    alert: db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE fingerprint = ?'),
    byUrl: db.prepare<[string], Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM runbooks WHERE url IN (SELECT value FROM json_each(?))
       ORDER BY origin = 'platform' DESC, updated_at DESC LIMIT 1`,
    ),
    byId: db.prepare<[string], Row>(`SELECT ${SUMMARY_COLUMNS} FROM runbooks WHERE id = ?`),
    byAlertname: db.prepare<[string], Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM runbooks WHERE EXISTS (SELECT 1 FROM json_each(runbooks.alertnames) WHERE value = ?)
       ORDER BY origin = 'platform' DESC, updated_at DESC, id`,
    ),
    runbook: db.prepare<[string], RunbookRow>('SELECT * FROM runbooks WHERE id = ?'),
    firingFor: db.prepare(
      `SELECT * FROM alerts WHERE state = 'firing' AND (
         alertname IN (SELECT value FROM json_each(?))
         OR coalesce(json_extract(annotations, '$.runbook_url'), json_extract(annotations, '$.runbook'),
                     json_extract(annotations, '$.runbookUrl')) IN (SELECT value FROM json_each(?)))
       ORDER BY severity, starts_at DESC LIMIT 200`,
    ),
  };

  function resolve(alert: Pick<Alert, 'alertname' | 'annotations'>): RunbookRef {
    const ref = runbookAnnotation(alert);
    const named = () => s.byAlertname.all(alert.alertname).map(toSummary);
    if (ref) {
      const byUrl = s.byUrl.get(JSON.stringify(urlVariants(ref)));
      if (byUrl) return { kind: 'local', runbook: toSummary(byUrl), via: 'url', externalUrl: externalOrNull(ref) };
      const byId = s.byId.get(ref);
      if (byId) return { kind: 'local', runbook: toSummary(byId), via: 'id', externalUrl: externalOrNull(ref) };
      const ext = externalOrNull(ref);
      if (ext) return { kind: 'external', url: ext, candidates: named() };
    }
    const [first] = named();
    if (first) return { kind: 'local', runbook: first, via: 'alertname', externalUrl: null };
    return {
      kind: 'none',
      reason: ref
        ? `The runbook link "${ref.slice(0, 200)}" is neither a cached runbook nor a safe web link, and no cached runbook lists ${alert.alertname}.`
        : `The alert has no runbook_url annotation and no cached runbook lists ${alert.alertname}.`,
    };
  }

  return {
    resolve,
    forAlert(fingerprint: string): RunbookRef | null {
      const row = s.alert.get(fingerprint);
      return row ? resolve(rowToAlert(row)) : null;
    },
    /** firing alerts that resolve to this runbook */
    firingFor(r: RunbookSummary): RunbookAlert[] {
      const refs = [r.id, ...(r.url ? urlVariants(r.url) : [])];
      const rows = s.firingFor.all(JSON.stringify(r.alertnames), JSON.stringify(refs)) as AlertRow[];
      const out: RunbookAlert[] = [];
      for (const a of rows.map(rowToAlert)) {
        const ref = resolve(a);
        if (ref.kind !== 'local' || ref.runbook.id !== r.id) continue;
        out.push({
          fingerprint: a.fingerprint,
          alertname: a.alertname,
          severity: a.severity,
          startsAt: a.startsAt,
          summary: a.annotations.summary ?? a.annotations.description ?? null,
          display: displayState(a),
          via: ref.via,
        });
      }
      return out;
    },
  };
}

function externalOrNull(ref: string): string | null {
  const c = checkExternalUrl(ref);
  return c.ok && /^https?:/i.test(c.url) ? c.url : null;
}
