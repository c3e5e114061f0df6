/**
 * Shift handover: the draft is read from this desk's local history of the shift (handover-draft.ts:
 * alerts, incidents, silences and acks that expire on the next watch, checklist runs, actions still in
 * the outbox); the outgoing engineer submits it with notes and watch items; the incoming engineer signs
 * it in their Vigil.
 */
import { HandoverSchema, type Handover, type HandoverDraft } from '@shared/handover';
import { parseJson } from '@shared/json';
import { HandoverDocSchema } from '@shared/protocol';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import { createShiftReader, MAX_SHIFT } from './handover-draft';
import { handoverFromDoc } from './platform';
import { notFound, processText } from './texts';
import { newId, sendAction } from './util';

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

export function createHandoverService({ ctx, actions }: { ctx: CoreContext; actions: ActionSink }) {
  const { db } = ctx;
  const shift = createShiftReader(db);
  const lng = () => ctx.language();
  const say = () => processText.in(lng()).handover;
  const s = {
    insert: db.prepare(`INSERT INTO handovers (id, shift_start, shift_end, outgoing, incoming, draft, notes, watch_items, submitted_at, signed_at, signed_by, sign_note)
      VALUES (@id, @shiftStart, @shiftEnd, @outgoing, @incoming, @draft, @notes, @watchItems, @submittedAt, @signedAt, @signedBy, @signNote)
      ON CONFLICT(id) DO UPDATE SET shift_start = excluded.shift_start, shift_end = excluded.shift_end, outgoing = excluded.outgoing,
        incoming = excluded.incoming, draft = excluded.draft, notes = excluded.notes, watch_items = excluded.watch_items,
        submitted_at = excluded.submitted_at, signed_at = excluded.signed_at, signed_by = excluded.signed_by, sign_note = excluded.sign_note`),
    get: db.prepare('SELECT * FROM handovers WHERE id = ?'),
    sign: db.prepare('UPDATE handovers SET signed_at = ?, signed_by = ?, sign_note = ? WHERE id = ? AND signed_at IS NULL'),
  };

  const changed = (id: string) => ctx.emit('dataChanged', { collection: 'handovers', ids: [id] });

  function draft(shiftStart: number | undefined): HandoverDraft {
    const end = ctx.clock.now();
    const start = shiftStart ?? shift.defaultShiftStart(end);
    if (start >= end) throw new ApiError('bad_arguments', say().startBeforeNow());
    if (end - start > MAX_SHIFT) throw new ApiError('bad_arguments', say().tooLong());
    return shift.draft(start, end);
  }

  function write(h: Handover): void {
    s.insert.run({ ...h, draft: JSON.stringify(h.draft), watchItems: JSON.stringify(h.watchItems) });
  }

  function mustGet(id: string): Handover {
    const r = s.get.get(id) as HandoverRow | undefined;
    return r ? toHandover(r) : notFound(lng(), 'handover', id);
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
        if (h.state === 'signed') throw new ApiError('conflict', say().alreadySigned({ name: h.signedBy ?? '' }));
        if (h.outgoing === actor) throw new ApiError('conflict', say().ownShift({ name: actor }));
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
