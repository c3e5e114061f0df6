/**
 * Shift handover: the draft is read from this desk's local history of the shift (alerts, incidents,
 * silences and acks that expire on the next watch, checklist runs, actions still in the outbox); the
 * outgoing engineer submits it with notes and watch items; the incoming engineer signs it in their Vigil.
 */
import type { Severity } from '@shared/domain';
import { HandoverSchema, type AlertRef, type Handover, type HandoverDraft } from '@shared/handover';
import type { Matcher } from '@shared/alerts';
import type { ChecklistRun } from '@shared/checklists';
import type { Incident } from '@shared/incidents';
import { parseJson } from '@shared/json';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import { HandoverDocSchema } from '@shared/protocol';
import { handoverFromDoc } from './platform';
import { newId, notFound, sendAction } from './util';

const HOUR = 60 * 60 * 1000;
const DEFAULT_SHIFT = 12 * HOUR;
/** A rotation may be a week long (handbook 002); nothing longer is a shift. */
const MAX_SHIFT = 7 * 24 * HOUR;

type HandoverRow = {
  id: string;
  shift_start: number;
  shift_end: number;
  outgoing: string;
  incoming: string | null;
  draft: string;
  notes: string;
  watch_items: string;
  submitted_at: number | null;
  signed_at: number | null;
  signed_by: string | null;
  sign_note: string | null;
};

const toHandover = (r: HandoverRow): Handover => ({
  id: r.id,
  shiftStart: r.shift_start,
  shiftEnd: r.shift_end,
  outgoing: r.outgoing,
  incoming: r.incoming,
  draft: JSON.parse(r.draft) as HandoverDraft,
  notes: r.notes,
  watchItems: parseJson<Handover['watchItems']>(r.watch_items).value ?? [],
  state: r.signed_at !== null ? 'signed' : 'submitted',
  submittedAt: r.submitted_at ?? r.shift_end,
  signedAt: r.signed_at,
  signedBy: r.signed_by,
  signNote: r.sign_note,
});

const matchersText = (ms: Matcher[]) => ms.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '~' : '='}"${m.value}"`).join(', ');

export function createHandoverService({ ctx, actions }: { ctx: CoreContext; actions: ActionSink }) {
  const { db } = ctx;
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
    ackFor: db.prepare('SELECT alertname FROM alerts WHERE ack_id = ?'),
    runs: db.prepare('SELECT id, template_id, kind, title, result, state, started_by, started_at, finished_at FROM checklist_runs WHERE started_at BETWEEN ? AND ? ORDER BY started_at'),
    outbox: db.prepare("SELECT id, type, state, created_at, last_error FROM outbox WHERE state IN ('pending', 'sent', 'failed') ORDER BY seq LIMIT 50"),
    outboxCounts: db.prepare("SELECT state, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'sent', 'failed') GROUP BY state"),
    insert: db.prepare(`INSERT INTO handovers (id, shift_start, shift_end, outgoing, incoming, draft, notes, watch_items, submitted_at, signed_at, signed_by, sign_note)
      VALUES (@id, @shiftStart, @shiftEnd, @outgoing, @incoming, @draft, @notes, @watchItems, @submittedAt, @signedAt, @signedBy, @signNote)
      ON CONFLICT(id) DO UPDATE SET shift_start = excluded.shift_start, shift_end = excluded.shift_end, outgoing = excluded.outgoing,
        incoming = excluded.incoming, draft = excluded.draft, notes = excluded.notes, watch_items = excluded.watch_items,
        submitted_at = excluded.submitted_at, signed_at = excluded.signed_at, signed_by = excluded.signed_by, sign_note = excluded.sign_note`),
    get: db.prepare('SELECT * FROM handovers WHERE id = ?'),
    sign: db.prepare('UPDATE handovers SET signed_at = ?, signed_by = ?, sign_note = ? WHERE id = ? AND signed_at IS NULL'),
  };

  const changed = (id: string) => ctx.emit('dataChanged', { collection: 'handovers', ids: [id] });

  /** Where the shift being handed over began: the end of the last handover, else 12 hours ago. */
  function defaultShiftStart(now: number): number {
    const last = (s.lastEnd.get() as { at: number | null }).at;
    return last !== null && last < now && now - last <= MAX_SHIFT ? last : now - DEFAULT_SHIFT;
  }

  function draft(shiftStart: number | undefined): HandoverDraft {
    const end = ctx.clock.now();
    const start = shiftStart ?? defaultShiftStart(end);
    if (start >= end) throw new ApiError('bad_arguments', 'The shift must start before now.');
    if (end - start > MAX_SHIFT) throw new ApiError('bad_arguments', 'A shift longer than 7 days cannot be handed over as one.');
    // The watchdog looks one shift ahead: whatever runs out then lands on the incoming engineer.
    const nextEnd = end + (end - start);
    const refs = (rows: unknown[]) => rows as AlertRef[];

    const expiring: HandoverDraft['expiring'] = (
      s.silences.all(end, nextEnd) as { id: string; matchers: string; ends_at: number; created_by: string; comment: string }[]
    ).map((r) => {
      const acked = s.ackFor.all(r.id) as { alertname: string }[];
      return {
        kind: acked.length ? 'ack' : 'silence',
        id: r.id,
        endsAt: r.ends_at,
        what: acked.length ? acked.map((a) => a.alertname).join(', ') : matchersText(parseJson<Matcher[]>(r.matchers).value ?? []),
        createdBy: r.created_by,
        comment: r.comment,
      };
    });

    const counts = Object.fromEntries((s.outboxCounts.all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
    return {
      shiftStart: start,
      shiftEnd: end,
      nextShiftEnd: nextEnd,
      alerts: {
        fired: refs(s.fired.all(start, end)),
        acked: refs(s.acked.all(start, end)),
        open: refs(s.open.all()),
      },
      incidents: (
        s.incidents.all(start, end, start, end) as { id: string; title: string; severity: Severity; status: Incident['status']; change_freeze: number; declared_at: number }[]
      ).map((r) => ({ id: r.id, title: r.title, severity: r.severity, status: r.status, changeFreeze: r.change_freeze === 1, declaredAt: r.declared_at })),
      expiring,
      checklists: (
        s.runs.all(start, end) as {
          id: string;
          template_id: string;
          kind: ChecklistRun['kind'];
          title: string;
          result: ChecklistRun['result'];
          state: ChecklistRun['state'];
          started_by: string;
          started_at: number;
          finished_at: number | null;
        }[]
      ).map((r) => ({
        runId: r.id,
        templateId: r.template_id,
        kind: r.kind,
        title: parseJson<ChecklistRun['title']>(r.title).value ?? { en: r.template_id, 'zh-CN': r.template_id },
        result: r.result,
        state: r.state,
        startedBy: r.started_by,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
      })),
      outbox: {
        pending: (counts.pending ?? 0) + (counts.sent ?? 0),
        failed: counts.failed ?? 0,
        items: (s.outbox.all() as { id: string; type: string; state: string; created_at: number; last_error: string | null }[]).map((r) => ({
          id: r.id,
          type: r.type,
          state: r.state,
          createdAt: r.created_at,
          lastError: r.last_error,
        })),
      },
    };
  }

  function write(h: Handover): void {
    s.insert.run({ ...h, draft: JSON.stringify(h.draft), watchItems: JSON.stringify(h.watchItems) });
  }

  function mustGet(id: string): Handover {
    const r = s.get.get(id) as HandoverRow | undefined;
    return r ? toHandover(r) : notFound('Handover', id);
  }

  return {
    draft,

    submit(input: { shiftStart: number; incoming?: string; notes: string; watchItems: string[] }, actor: string): Handover {
      // Drafted again at the moment of submitting, so the record says what was true when it was handed over.
      const d = draft(input.shiftStart);
      const h: Handover = {
        id: newId(ctx),
        shiftStart: d.shiftStart,
        shiftEnd: d.shiftEnd,
        outgoing: actor,
        incoming: input.incoming || null,
        draft: d,
        notes: input.notes,
        watchItems: input.watchItems,
        state: 'submitted',
        submittedAt: d.shiftEnd,
        signedAt: null,
        signedBy: null,
        signNote: null,
      };
      db.transaction(() => {
        write(h);
        sendAction(ctx, actions, 'handover.submit', { handoverId: h.id, record: h }, actor);
      })();
      ctx.audit(actor, 'handover.submit', { id: h.id });
      changed(h.id);
      return h;
    },

    sign(id: string, note: string | undefined, actor: string): Handover {
      const now = ctx.clock.now();
      const signed = db.transaction(() => {
        const h = mustGet(id);
        if (h.state === 'signed') throw new ApiError('conflict', `This handover was already signed by ${h.signedBy}.`);
        if (h.outgoing === actor)
          throw new ApiError('conflict', `${actor} handed this shift over and cannot also sign for receiving it; the incoming engineer signs in their own Vigil.`);
        s.sign.run(now, actor, note || null, id);
        sendAction(ctx, actions, 'handover.sign', { handoverId: id, signedBy: actor, ...(note ? { note } : {}) }, actor);
        return { ...h, state: 'signed' as const, signedAt: now, signedBy: actor, signNote: note || null };
      })();
      ctx.audit(actor, 'handover.sign', { id });
      changed(id);
      return signed;
    },

    /** Most recent first; every word of `text` must appear somewhere in the record. */
    list(text: string | undefined, limit: number): Handover[] {
      const words = (text ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
      const hay = "lower(outgoing || ' ' || COALESCE(incoming, '') || ' ' || COALESCE(signed_by, '') || ' ' || notes || ' ' || watch_items || ' ' || draft)";
      const where = words.map(() => `instr(${hay}, ?) > 0`).join(' AND ');
      const rows = db
        .prepare(`SELECT * FROM handovers ${where ? `WHERE ${where}` : ''} ORDER BY COALESCE(submitted_at, shift_end) DESC LIMIT ?`)
        .all(...words, limit) as HandoverRow[];
      return rows.map(toHandover);
    },

    /** A handover from the platform (another console's, or ours echoed back); a signature is never undone. */
    applyRemote(data: unknown): string {
      const full = HandoverSchema.safeParse(data);
      const h = full.success ? full.data : handoverFromDoc(HandoverDocSchema.parse(data));
      const local = s.get.get(h.id) as HandoverRow | undefined;
      if (local?.signed_at != null && h.signedAt === null) return h.id;
      write(h);
      return h.id;
    },
  };
}
export type HandoverService = ReturnType<typeof createHandoverService>;
