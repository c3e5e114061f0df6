/**
 * Applying one action frame, exactly once per action id, as the person the connection's credential proved:
 * - the action is refused (`forbidden`, not stored: it depends on the credential, not on the action) when the
 *   person's role does not allow it, or when the frame says it was queued as another login;
 * - the actor recorded everywhere (action log, audit, process records, the source's silence author) is the
 *   person's display name; a frame's `actor` counts only with the shared token, marked "(shared token)";
 * - an id with a stored result, or one being applied right now, is answered with that result (`replay`);
 *   a duplicate in flight waits for the first instead of applying again; an id sent again with another
 *   type or payload is refused (`id_conflict`), and the first one's result stands;
 * - the payload is checked against the action's schema; a bad one is refused and its refusal stored;
 * - process actions (incidents, checklists, handovers) are the gateway's own records: the store changes
 *   them, logs their events and records the id in one transaction;
 * - every other action goes to the source. Before the source is called the attempt is stored durably: if the
 *   gateway dies before the result is stored, the resend of this id is `resumed`, and the source looks
 *   upstream for its earlier effect instead of repeating it. With replicas on one PostgreSQL store, an id
 *   another replica is applying right now is not applied here: this one waits for that replica's result.
 */
import { actionPayloads, type ActionType } from '@shared/actions';
import { DisplayNameSchema, recordName, requiredRole, roleAllows, type Identity } from '@shared/identity';
import { ERROR_CODES, type ClientFrame, type ServerFrame } from '@shared/protocol';
import { describeZodError } from '@shared/rpc';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { GatewayMetrics } from './metrics';
import type { ActionPolicy } from './policy';
import { isProcessAction } from './process';
import { unprovenName } from './record-names';
import type { ActionOutcome, Source } from './source';
import type { ActionRecord, GatewayStore, StoredEvent, StoredResult, UsedAction } from './store';

export type ActionFrame = Extract<ClientFrame, { type: 'action' }>;
export type ResultFrame = Extract<ServerFrame, { type: 'result' }>;

/** who sent the frame: the connection's client id (from its hello) and the person its credential proved */
export interface Sender {
  clientId: string | null;
  identity: Identity;
}

export interface ActionHandlerOptions {
  store: Pick<GatewayStore, 'storedResult' | 'actionOf' | 'beginAction' | 'recordAction' | 'applyProcessAction'>;
  source: Pick<Source, 'name' | 'apply'>;
  clock: Pick<Clock, 'now' | 'setTimeout'>;
  log: Logger;
  metrics: Pick<GatewayMetrics, 'actions'>;
  /** what the gateway refuses of a well-formed payload (policy.ts: the silence rule, the maximum duration) */
  policy?: ActionPolicy;
  /** the events a process action logged (counted by the caller; pumped once the result is sent) */
  logged(appended: readonly StoredEvent[]): void;
  /** the display names of the people the gateway knows (record-names.ts); none when omitted */
  knownNames?: () => ReadonlySet<string>;
  /** what the gateway's paging does with actions (absent: the gateway does not page) */
  local?: LocalActions;
}

/**
 * Paging's part in actions: actions it answers itself instead of the source (`paging.test`), and what
 * follows a recorded process action (a status update goes out to the incident's channels). Both are
 * idempotent by the action's own ids, so the follow-up also runs again on a replay (a gateway that died
 * between recording the update and writing its messages sends them when the console resends).
 */
export interface LocalActions {
  handles(type: ActionType): boolean;
  apply(type: ActionType, payload: unknown, who: { id: string; actor: string; login: string | null }): ActionOutcome;
  afterProcess(type: string, payload: unknown, who: { id: string; actor: string; login: string | null }): void;
}

export interface ActionHandler {
  /** the result frame for this action; `replay` when the id was applied before or is being applied now */
  handle(from: Sender, f: ActionFrame): Promise<ResultFrame>;
}

/** how often, and how long at most, a replica looks for the result of an id another replica is applying */
const BUSY_POLL_MS = 200;
const BUSY_WAIT_MS = 120_000;

const toStored = (o: ActionOutcome): StoredResult => (o.ok ? { ok: true, error: null } : { ok: false, error: o.error });

/** JSON with object keys sorted: the same payload serialised by another client compares equal */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function canonicalText(json: string): string | null {
  try {
    return canonical(JSON.parse(json));
  } catch {
    return null;
  }
}

/** Why this frame may not reuse its id, or null when it is the same action (a true replay) or a new id. */
function idConflict(f: ActionFrame, used: UsedAction | null): ResultFrame['error'] | null {
  if (!used) return null;
  if (used.type !== f.action)
    return { code: ERROR_CODES.idConflict, message: `action id ${f.id} was already used for ${used.type}, not ${f.action}; a new action needs a new id` };
  // an older gateway did not keep an in-doubt attempt's payload: only the type can be compared then
  if (used.payload !== null && canonicalText(used.payload) !== canonical(f.payload))
    return { code: ERROR_CODES.idConflict, message: `action id ${f.id} was already used for ${used.type} with another payload; its first result stands, a new action needs a new id` };
  return null;
}

export function createActionHandler(o: ActionHandlerOptions): ActionHandler {
  /** action ids being applied right now (a duplicate waits for the first instead of applying again) */
  const inflight = new Map<string, { run: Promise<StoredResult>; used: UsedAction }>();

  /** the source's answer; a source that throws (the contract says it never does) still gets a clear one */
  async function applyUpstream(f: ActionFrame, payload: unknown, actor: string, resumed: boolean) {
    // the source names the person in what it creates upstream (Alertmanager's silence author, ACK comment)
    try {
      return await o.source.apply({ id: f.id, type: f.action, payload, at: f.at, operator: actor }, { resumed });
    } catch (err) {
      return {
        ok: false as const,
        error: {
          code: ERROR_CODES.internal,
          message: `${o.source.name} source failed: ${err instanceof Error ? err.message : String(err)}`,
        },
      };
    }
  }

  /**
   * Notes the attempt. While another replica applies the same id (a console that failed over resent it),
   * waits for that replica's stored result, looking again every BUSY_POLL_MS: its result is the answer, and
   * if it dies its lock goes with it and this replica resumes the action.
   */
  async function begin(record: ActionRecord): Promise<{ resumed: boolean } | { stored: StoredResult }> {
    for (let waited = 0; ; waited += BUSY_POLL_MS) {
      const b = o.store.beginAction(record);
      if (!b.busy) return b;
      const stored = o.store.storedResult(record.id);
      if (stored) return { stored };
      if (waited >= BUSY_WAIT_MS) {
        const message = `another gateway replica is still applying action ${record.id}; resend it later`;
        return { stored: { ok: false, error: { code: ERROR_CODES.internal, message } } };
      }
      await new Promise<void>((resolve) => o.clock.setTimeout(resolve, BUSY_POLL_MS));
    }
  }

  /** the name the records carry: the proven one, or with the shared token the typed one, marked */
  function actorOf(from: Sender, f: ActionFrame): string {
    const i = from.identity;
    if (i.via !== 'shared') {
      if (f.actor && f.actor !== i.name && f.actor !== i.login)
        o.log.log('info', 'gateway.actor_ignored', { id: f.id, login: i.login, claimed: f.actor.slice(0, 80) });
      return recordName(i);
    }
    const typed = DisplayNameSchema.safeParse(f.actor ?? '');
    return recordName({ name: typed.success ? typed.data : i.name, via: 'shared' });
  }

  /** why this person may not send this frame, or null */
  function forbidden(from: Sender, f: ActionFrame): string | null {
    const i = from.identity;
    if (!roleAllows(i.role, f.action))
      return `${recordName(i)} is a ${i.role} here: ${f.action} needs the ${requiredRole(f.action)} role`;
    if (f.login !== undefined && f.login !== i.login)
      return `this action was queued as ${f.login ?? 'the shared token'}, but this connection is ${i.login ?? 'the shared token'}: it is sent only when that person is signed in again`;
    return null;
  }

  function follow(record: ActionRecord, payload: unknown): void {
    try {
      o.local?.afterProcess(record.type, payload, { id: record.id, actor: record.actor, login: record.login });
    } catch (err) {
      o.log.log('error', 'gateway.action_follow_failed', { id: record.id, type: record.type, err: String(err) });
    }
  }

  async function apply(from: Sender, f: ActionFrame): Promise<StoredResult> {
    const record: ActionRecord = {
      id: f.id,
      type: f.action,
      payload: f.payload,
      actor: actorOf(from, f),
      login: from.identity.login,
      clientId: from.clientId,
      at: o.clock.now(),
    };
    const parsed = actionPayloads[f.action].safeParse(f.payload);
    if (!parsed.success) {
      const message = `${f.action}: ${describeZodError(parsed.error, { root: 'payload' })}`;
      const r = { ok: false, error: { code: ERROR_CODES.badPayload, message: message.slice(0, 2000) } };
      o.store.recordAction(record, r);
      return r;
    }
    const refused = o.policy?.(f.action, parsed.data, o.clock.now());
    if (refused) {
      const r = { ok: false, error: refused };
      o.store.recordAction(record, r);
      return r;
    }
    if (isProcessAction(f.action)) {
      const unproven = unprovenName(f.action, parsed.data, record.actor, o.knownNames?.() ?? new Set());
      if (unproven) {
        o.log.log('warn', 'gateway.name_refused', { id: f.id, type: f.action, login: record.login });
        const r = { ok: false, error: { code: ERROR_CODES.forbidden, message: unproven } };
        o.store.recordAction(record, r);
        return r;
      }
      const { result, appended } = o.store.applyProcessAction(record, f.action, parsed.data);
      o.logged(appended);
      if (result.ok) follow(record, parsed.data);
      return result;
    }
    if (o.local?.handles(f.action)) {
      const r = toStored(o.local.apply(f.action, parsed.data, { id: f.id, actor: record.actor, login: record.login }));
      o.store.recordAction(record, r);
      return r;
    }
    const begun = await begin(record);
    if ('stored' in begun) return begun.stored;
    const { resumed } = begun;
    if (resumed) o.log.log('warn', 'gateway.action_resumed', { id: f.id, type: f.action });
    const r = toStored(await applyUpstream(f, parsed.data, record.actor, resumed));
    o.store.recordAction({ ...record, at: o.clock.now() }, r);
    return r;
  }

  return {
    async handle(from, f) {
      const refusal = forbidden(from, f);
      if (refusal) {
        o.metrics.actions.inc({ type: f.action, result: 'forbidden' });
        o.log.log('warn', 'gateway.action_forbidden', {
          id: f.id,
          type: f.action,
          login: from.identity.login,
          role: from.identity.role,
        });
        return { type: 'result', id: f.id, ok: false, error: { code: ERROR_CODES.forbidden, message: refusal } };
      }
      const pending = inflight.get(f.id);
      const conflict = idConflict(f, pending?.used ?? o.store.actionOf(f.id));
      if (conflict) {
        o.metrics.actions.inc({ type: f.action, result: 'id_conflict' });
        o.log.log('warn', 'gateway.action_id_conflict', { id: f.id, type: f.action });
        return { type: 'result', id: f.id, ok: false, error: conflict };
      }
      const stored = o.store.storedResult(f.id);
      if (stored || pending) {
        // a copy that arrived while the first is still upstream waits for that first one's result
        if (!stored) o.log.log('info', 'gateway.action_awaits_inflight', { id: f.id, type: f.action });
        const r = stored ?? (await pending!.run);
        if (stored?.ok && isProcessAction(f.action)) {
          const parsed = actionPayloads[f.action].safeParse(f.payload);
          if (parsed.success)
            follow({ id: f.id, type: f.action, payload: f.payload, actor: actorOf(from, f), login: from.identity.login, clientId: from.clientId, at: o.clock.now() }, parsed.data);
        }
        o.metrics.actions.inc({ type: f.action, result: 'replayed' });
        return { type: 'result', id: f.id, ok: r.ok, error: r.error ?? undefined, replay: true };
      }
      const run = apply(from, f);
      inflight.set(f.id, { run, used: { type: f.action, payload: JSON.stringify(f.payload ?? null) } });
      try {
        const r = await run;
        o.metrics.actions.inc({ type: f.action, result: r.ok ? 'applied' : 'rejected' });
        return { type: 'result', id: f.id, ok: r.ok, error: r.error ?? undefined };
      } finally {
        inflight.delete(f.id);
      }
    },
  };
}
