/**
 * Alert and silence actions: validated, written to the outbox through the ActionSink, and indexed in
 * alert_actions so the console can show each one's progress (pending → confirmed / failed) by reading
 * the outbox row the link keeps up to date. A failed action retried through the link's outboxRetry is
 * followed to its replacement (outbox.replaced_by), so the alert shows the retry's progress.
 */
import { actionPayloads, type ActionPayload, type OutboxEntry } from '@shared/actions';
import type { AlertAction, AlertActionType } from '@shared/contract/alerts';
import { ApiError, describeZodError } from '@shared/rpc';
import type { ActionSink } from '../context';
import type { DB } from '@node/sqlite';

interface Row {
  outbox_id: string;
  type: AlertActionType;
  fingerprints: string;
  silence_id: string | null;
  created_at: number;
  state: OutboxEntry['state'];
  last_error: string | null;
  attempts: number;
  sent_at: number | null;
  acked_at: number | null;
  replaced_by?: string | null;
}

const progress = (s: OutboxEntry['state']): AlertAction['state'] =>
  s === 'acked' ? 'confirmed' : s === 'failed' || s === 'discarded' ? 'failed' : 'pending';

function toAction(r: Row): AlertAction {
  return {
    id: r.outbox_id,
    type: r.type,
    fingerprints: JSON.parse(r.fingerprints),
    silenceId: r.silence_id,
    state: progress(r.state),
    error: r.last_error,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: Math.max(r.created_at, r.sent_at ?? 0, r.acked_at ?? 0),
  };
}

export interface Submission<T extends AlertActionType> {
  payload: ActionPayload<T>;
  fingerprints: string[];
  silenceId?: string | null;
}

export function createActionTracker(db: DB, sink: ActionSink) {
  const s = {
    record: db.prepare('INSERT INTO alert_actions (outbox_id, type, fingerprints, silence_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    recent: db.prepare(`SELECT a.outbox_id, a.type, a.fingerprints, a.silence_id, a.created_at,
        o.state, o.last_error, o.attempts, o.sent_at, o.acked_at, o.replaced_by
      FROM alert_actions a JOIN outbox o ON o.id = a.outbox_id ORDER BY a.created_at DESC, o.seq DESC LIMIT 500`),
    outbox: db.prepare('SELECT id, state, last_error, attempts, sent_at, acked_at, replaced_by FROM outbox WHERE id = ?'),
  };

  /** The row as its latest retry stands (a retried action is discarded with replaced_by set). */
  function latest(r: Row): Row {
    let cur = r;
    for (let hops = 0; cur.replaced_by && hops < 20; hops++) {
      const next = s.outbox.get(cur.replaced_by) as
        | { id: string; state: Row['state']; last_error: string | null; attempts: number; sent_at: number | null; acked_at: number | null; replaced_by: string | null }
        | undefined;
      if (!next) break;
      cur = { ...cur, ...next, outbox_id: next.id };
    }
    return cur;
  }

  /** Queues every submission in one transaction: all are in the outbox, or none is. */
  function submit<T extends AlertActionType>(type: T, items: Submission<T>[], actor: string): AlertAction[] {
    const schema = actionPayloads[type];
    for (const it of items) {
      const r = schema.safeParse(it.payload);
      if (!r.success) throw new ApiError('bad_arguments', `${type}: ${describeZodError(r.error, { root: 'payload' })}`);
    }
    return db.transaction(() =>
      items.map((it) => {
        const e = sink.submit(type, it.payload, actor);
        s.record.run(e.id, type, JSON.stringify(it.fingerprints), it.silenceId ?? null, e.createdAt);
        return toAction({
          outbox_id: e.id,
          type,
          fingerprints: JSON.stringify(it.fingerprints),
          silence_id: it.silenceId ?? null,
          created_at: e.createdAt,
          state: e.state,
          last_error: e.lastError,
          attempts: e.attempts,
          sent_at: e.sentAt,
          acked_at: e.ackedAt,
        });
      }),
    )();
  }

  return {
    submit,
    /** newest first; an action and its retries show as one entry (the latest retry) */
    recent: (): AlertAction[] => {
      const rows = (s.recent.all() as Row[]).map(latest);
      const seen = new Set<string>();
      return rows.filter((r) => !seen.has(r.outbox_id) && seen.add(r.outbox_id)).map(toAction);
    },
  };
}
export type ActionTracker = ReturnType<typeof createActionTracker>;
