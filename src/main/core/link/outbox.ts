/**
 * The durable outbox. An action is a row in SQLite before anything else happens; the row's id (UUID v7)
 * is the idempotency key the gateway dedups on, so a resend after a crash or a reconnect can never apply
 * an action twice, and nothing ever sends the same action under a different id.
 *
 * Each row keeps who queued it (`login`, `via`: the person the platform had proven when it was submitted),
 * and goes out only on a connection signed in as that same person (sender.ts): a queued action is never
 * sent under someone else's credential. Rows from before identity (via NULL) go under whoever is signed in.
 *
 * States: pending (never handed to a socket) → sent (handed to a socket at least once; resent on every
 * reconnect until answered) → acked | failed. failed → the user retries (a new action with a new id; the
 * gateway keeps the failure under the old one) or discards. pending → discarded.
 */
import { v7 as uuidv7 } from 'uuid';
import { actionPayloads, type ActionType } from '@shared/actions';
import type { OutboxItem } from '@shared/contract/link';
import type { WireError } from '@shared/protocol';
import { ApiError, describeZodError } from '@shared/rpc';
import type { DB } from '@node/sqlite';

interface Row {
  seq: number;
  id: string;
  type: ActionType;
  payload: string;
  state: OutboxItem['state'];
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  acked_at: number | null;
  actor: string;
  error_code: string | null;
  replaced_by: string | null;
  login: string | null;
  via: OutboxItem['via'];
}

/** who queued an action: the login (null for the shared token) and how the platform knew them */
export interface Queuer {
  login: string | null;
  via: 'token' | 'proxy' | 'shared' | 'local';
}

const toItem = (r: Row): OutboxItem => ({
  id: r.id,
  type: r.type,
  payload: JSON.parse(r.payload),
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  ackedAt: r.acked_at,
  actor: r.actor,
  errorCode: r.error_code,
  replacedBy: r.replaced_by,
  login: r.login,
  via: r.via,
});

/** The payload validated against its action's schema; a bad one is refused before it is stored. */
export function validatePayload(type: ActionType, payload: unknown): unknown {
  const schema = actionPayloads[type];
  if (!schema) throw new ApiError('bad_action', `Unknown action type "${String(type).slice(0, 64)}".`);
  const res = schema.safeParse(payload);
  if (!res.success) throw new ApiError('bad_payload', `${type}: ${describeZodError(res.error, { root: 'payload' })}`);
  return res.data;
}

export function createOutbox(db: DB, now: () => number) {
  const s = {
    insert: db.prepare(
      `INSERT INTO outbox (id, type, payload, state, attempts, created_at, actor, login, via) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    ),
    get: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    // submit order (seq) whatever the state: a resend after a reconnect keeps the order the operator acted in
    unanswered: db.prepare(`SELECT * FROM outbox WHERE state IN ('pending','sent') ORDER BY seq`),
    open: db.prepare(`SELECT * FROM outbox WHERE state IN ('pending','sent','failed') ORDER BY seq`),
    recent: db.prepare(`SELECT * FROM outbox WHERE state IN ('acked','discarded') ORDER BY seq DESC LIMIT ?`),
    waiting: db.prepare(`SELECT count(*) AS n FROM outbox WHERE state IN ('pending','sent')`),
    // unanswered actions a connection signed in as (via, login) may not carry (sender.ts mayCarry, in SQL)
    heldFromNobody: db.prepare(
      `SELECT count(*) AS n FROM outbox WHERE state IN ('pending','sent') AND via IN ('token','proxy','shared')`,
    ),
    heldFromShared: db.prepare(
      `SELECT count(*) AS n FROM outbox WHERE state IN ('pending','sent') AND via IN ('token','proxy')`,
    ),
    heldFromPerson: db.prepare(
      `SELECT count(*) AS n FROM outbox WHERE state IN ('pending','sent') AND (via = 'shared' OR (via IN ('token','proxy') AND login IS NOT ?))`,
    ),
    markSent: db.prepare(
      `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ? AND state IN ('pending','sent')`,
    ),
    ack: db.prepare(
      `UPDATE outbox SET state = 'acked', acked_at = ?, last_error = NULL, error_code = NULL WHERE id = ? AND state IN ('pending','sent')`,
    ),
    fail: db.prepare(
      `UPDATE outbox SET state = 'failed', acked_at = ?, last_error = ?, error_code = ? WHERE id = ? AND state IN ('pending','sent')`,
    ),
    discard: db.prepare(
      `UPDATE outbox SET state = 'discarded', acked_at = ? WHERE id = ? AND state IN ('pending','failed')`,
    ),
    replace: db.prepare(`UPDATE outbox SET state = 'discarded', replaced_by = ? WHERE id = ? AND state = 'failed'`),
  };

  const get = (id: string): OutboxItem | null => {
    const r = s.get.get(id) as Row | undefined;
    return r ? toItem(r) : null;
  };
  const mustGet = (id: string): OutboxItem => {
    const e = get(id);
    if (!e) throw new ApiError('not_found', `No action ${id} in the outbox.`);
    return e;
  };

  /** `by` omitted: nobody in particular (as rows from before identity; the link always says who) */
  function submit(type: ActionType, payload: unknown, actor: string, by?: Queuer): OutboxItem {
    const clean = validatePayload(type, payload);
    const id = uuidv7();
    s.insert.run(id, type, JSON.stringify(clean), now(), actor, by?.login ?? null, by?.via ?? null);
    return mustGet(id);
  }

  return {
    submit,
    get,
    /** pending and sent actions, in submit order: what goes out after a (re)connect */
    unanswered: (): OutboxItem[] => (s.unanswered.all() as Row[]).map(toItem),
    open: (): OutboxItem[] => (s.open.all() as Row[]).map(toItem),
    recent: (limit = 20): OutboxItem[] => (s.recent.all(limit) as Row[]).map(toItem),
    waiting: (): number => (s.waiting.get() as { n: number }).n,
    /** unanswered actions queued by someone else than `who` (nobody: all of those with a person) */
    held(who: Queuer | null): number {
      const n = (st: { get(...a: unknown[]): unknown }, ...a: unknown[]) => (st.get(...a) as { n: number }).n;
      if (!who || who.via === 'local') return n(s.heldFromNobody);
      return who.via === 'shared' ? n(s.heldFromShared) : n(s.heldFromPerson, who.login);
    },
    /** recorded before the frame goes to the socket, so a crash right after still resends it */
    markSent: (id: string) => s.markSent.run(now(), id).changes > 0,
    /** applies a result; false when the row was not waiting for one (a duplicate result) */
    settle(id: string, ok: boolean, error: WireError | null): boolean {
      if (ok) return s.ack.run(now(), id).changes > 0;
      const e = error ?? { code: 'rejected', message: 'The platform rejected the action without a reason.' };
      return s.fail.run(now(), e.message, e.code, id).changes > 0;
    },
    /** a failed action sent again as a new action, by whoever retries it (`actor`, `by`; default: as before) */
    retry(id: string, actor?: string, by?: Queuer): OutboxItem {
      const old = mustGet(id);
      if (old.state !== 'failed')
        throw new ApiError('bad_state', `Only a failed action can be retried; ${id} is ${old.state}.`);
      const before = old.via ? { login: old.login, via: old.via } : undefined;
      return db.transaction(() => {
        const fresh = submit(old.type, old.payload, actor ?? old.actor, by ?? before);
        s.replace.run(fresh.id, id);
        return fresh;
      })();
    },
    discard(id: string): OutboxItem {
      const e = mustGet(id);
      if (e.state === 'sent')
        throw new ApiError(
          'bad_state',
          'This action was already sent; the platform will answer it, so it cannot be taken back.',
        );
      if (s.discard.run(now(), id).changes === 0)
        throw new ApiError('bad_state', `Action ${id} is ${e.state} and cannot be discarded.`);
      return mustGet(id);
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
