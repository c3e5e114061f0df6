/**
 * The handover draft: what this desk's local history says about a shift (alerts fired, acked and still
 * open, incidents, silences and acks that run out during the next shift, checklist runs, actions still in
 * the outbox). Reads only; the service decides which shift.
 */
import type { Matcher } from '@shared/alerts';
import type { ChecklistRun } from '@shared/checklists';
import type { Severity } from '@shared/domain';
import type { AlertRef, HandoverDraft } from '@shared/handover';
import type { Incident } from '@shared/incidents';
import { parseJson } from '@shared/json';
import type { DB } from '@node/sqlite';
import { storedTitle } from './checklist-store';

const HOUR = 60 * 60 * 1000;
export const DEFAULT_SHIFT = 12 * HOUR;
/** A rotation may be a week long (handbook 002); nothing longer is a shift. */
export const MAX_SHIFT = 7 * 24 * HOUR;

/** `team="ozon", alertname=~"Order.*"`: a silence's matchers as Alertmanager writes them. */
export const matchersText = (ms: Matcher[]) => ms.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '~' : '='}"${m.value}"`).join(', ');

type IncidentRow = { id: string; title: string; severity: Severity; status: Incident['status']; change_freeze: number; declared_at: number };
type RunRow = {
  id: string;
  template_id: string;
  kind: ChecklistRun['kind'];
  title: string;
  result: ChecklistRun['result'];
  state: ChecklistRun['state'];
  started_by: string;
  started_at: number;
  finished_at: number | null;
};
type SilenceRow = { id: string; matchers: string; ends_at: number; created_by: string; comment: string };
type OutboxRow = { id: string; type: string; state: string; created_at: number; last_error: string | null };

export function createShiftReader(db: DB) {
  const s = {
    lastEnd: db.prepare('SELECT MAX(shift_end) AS at FROM handovers'),
    fired: db.prepare('SELECT fingerprint, alertname, severity, starts_at AS at, NULL AS by FROM alerts WHERE starts_at BETWEEN ? AND ? ORDER BY starts_at'),
    acked: db.prepare('SELECT fingerprint, alertname, severity, acked_at AS at, acked_by AS by FROM alerts WHERE acked_at BETWEEN ? AND ? ORDER BY acked_at'),
    open: db.prepare(
      "SELECT fingerprint, alertname, severity, starts_at AS at, acked_by AS by FROM alerts WHERE state = 'firing' AND silenced_by = '[]' ORDER BY severity, starts_at",
    ),
    incidents: db.prepare(
      "SELECT id, title, severity, status, change_freeze, declared_at FROM incidents WHERE status != 'closed' OR closed_at BETWEEN ? AND ? OR declared_at BETWEEN ? AND ? ORDER BY declared_at",
    ),
    silences: db.prepare("SELECT id, matchers, ends_at, created_by, comment FROM silences WHERE state != 'expired' AND ends_at > ? AND ends_at <= ? ORDER BY ends_at"),
    ackFor: db.prepare('SELECT alertname, state, ack_auto_extend FROM alerts WHERE ack_id = ?'),
    runs: db.prepare('SELECT id, template_id, kind, title, result, state, started_by, started_at, finished_at FROM checklist_runs WHERE started_at BETWEEN ? AND ? ORDER BY started_at'),
    outbox: db.prepare("SELECT id, type, state, created_at, last_error FROM outbox WHERE state IN ('pending', 'sent', 'failed') ORDER BY seq LIMIT 50"),
    outboxCounts: db.prepare("SELECT state, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'sent', 'failed') GROUP BY state"),
  };
  const refs = (rows: unknown[]) => rows as AlertRef[];

  /**
   * Silences and acks (an ack is a silence carrying it) that run out between `from` and `until`. The real
   * expiry: an ack the gateway keeps extending while its alerts fire does not run out on the next shift
   * while they do (it lapses only once they resolve), so it is not a thing to hand over.
   */
  function expiring(from: number, until: number): HandoverDraft['expiring'] {
    return (s.silences.all(from, until) as SilenceRow[]).flatMap((r) => {
      const acked = s.ackFor.all(r.id) as { alertname: string; state: string; ack_auto_extend: number }[];
      if (acked.length > 0 && acked.every((a) => a.state === 'firing' && a.ack_auto_extend === 1)) return [];
      return {
        kind: acked.length ? 'ack' : 'silence',
        id: r.id,
        endsAt: r.ends_at,
        what: acked.length ? acked.map((a) => a.alertname).join(', ') : matchersText(parseJson<Matcher[]>(r.matchers).value ?? []),
        createdBy: r.created_by,
        comment: r.comment,
      };
    });
  }

  function outbox(): HandoverDraft['outbox'] {
    const counts = Object.fromEntries((s.outboxCounts.all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
    return {
      pending: (counts.pending ?? 0) + (counts.sent ?? 0),
      failed: counts.failed ?? 0,
      items: (s.outbox.all() as OutboxRow[]).map((r) => ({ id: r.id, type: r.type, state: r.state, createdAt: r.created_at, lastError: r.last_error })),
    };
  }

  return {
    /** Where the shift being handed over began: the end of the last handover, else 12 hours ago. */
    defaultShiftStart(now: number): number {
      const last = (s.lastEnd.get() as { at: number | null }).at;
      return last !== null && last < now && now - last <= MAX_SHIFT ? last : now - DEFAULT_SHIFT;
    },

    /** The draft of the shift from `start` to `end`. */
    draft(start: number, end: number): HandoverDraft {
      // The watchdog looks one shift ahead: whatever runs out then lands on the incoming engineer.
      const nextEnd = end + (end - start);
      return {
        shiftStart: start,
        shiftEnd: end,
        nextShiftEnd: nextEnd,
        alerts: { fired: refs(s.fired.all(start, end)), acked: refs(s.acked.all(start, end)), open: refs(s.open.all()) },
        incidents: (s.incidents.all(start, end, start, end) as IncidentRow[]).map((r) => ({
          id: r.id,
          title: r.title,
          severity: r.severity,
          status: r.status,
          changeFreeze: r.change_freeze === 1,
          declaredAt: r.declared_at,
        })),
        expiring: expiring(end, nextEnd),
        checklists: (s.runs.all(start, end) as RunRow[]).map((r) => ({
          runId: r.id,
          templateId: r.template_id,
          kind: r.kind,
          title: storedTitle(r.title, r.template_id),
          result: r.result,
          state: r.state,
          startedBy: r.started_by,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
        })),
        outbox: outbox(),
      };
    },
  };
}
export type ShiftReader = ReturnType<typeof createShiftReader>;
