/**
 * Paging in the gateway, put together: the PagingStore, the escalation runner and the outbox deliverer,
 * and the source wrapper that turns a console's `e` (a manual `alert.escalate`) into the next level paged.
 */
import type { ActionType } from '@shared/actions';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { LocalActions } from '../actions';
import type { Source } from '../source';
import { createComms, type IncidentFacts } from './comms';
import { createDeliverer, type Backoff, type FetchLike } from './deliver';
import type { PagingRoster } from './policy';
import { createRunner, type RunnerDeps } from './runner';
import type { SecretEnv } from './secrets';
import type { PagingStore } from './store';

export interface PagingOptions {
  /** the roster paged from (read from --roster with channel URLs; not the redacted copy consoles get) */
  roster(): PagingRoster | null;
  /** default: gateway.db in the data dir (SQLite) */
  store?: PagingStore;
  env?: SecretEnv;
  fetch?: FetchLike;
  backoff?: Backoff;
  tickMs?: number;
}

export interface PagingDeps extends Pick<RunnerDeps, 'alerts' | 'loginOf' | 'connected' | 'emit'> {
  store: PagingStore;
  clock: Clock;
  log: Logger;
  /** an incident's facts, for its status updates' channels */
  incident?: (id: string) => IncidentFacts | null;
  /**
   * messages were written while the outbox does not run here (a replica that does not lead pages a person's
   * `e`, or takes a status update or a test call): ask the one where it runs to send them
   */
  deliverElsewhere?(): void;
}

export function createPaging(o: PagingOptions & PagingDeps) {
  // the deliverer tells the runner (or comms) of delivery changes, they tell the deliverer of new messages
  let onChanged: (m: { ladderId: string | null; commsId: string | null }) => void = () => undefined;
  /** new messages: sent here where the outbox runs, else by the replica where it does */
  const kick = () => (deliverer.running() ? deliverer.kick() : o.deliverElsewhere?.());
  const runner = createRunner({
    store: o.store,
    clock: o.clock,
    log: o.log,
    roster: o.roster,
    alerts: o.alerts,
    loginOf: o.loginOf,
    connected: o.connected,
    emit: o.emit,
    kickDelivery: () => kick(),
    tickMs: o.tickMs,
  });
  const deliverer = createDeliverer({
    store: o.store,
    clock: o.clock,
    log: o.log,
    channels: () => runner.channels(),
    env: o.env,
    fetch: o.fetch,
    backoff: o.backoff,
    onChanged: (id) => onChanged(id),
  });
  const comms = createComms({
    store: o.store,
    clock: o.clock,
    log: o.log,
    index: () => runner.index(),
    incident: o.incident ?? (() => null),
    loginOf: o.loginOf,
    connected: o.connected,
    emit: o.emit,
    kickDelivery: () => kick(),
  });
  onChanged = (m) => {
    if (m.ladderId) runner.delivered(m.ladderId);
    if (m.commsId) comms.delivered(m.commsId);
  };
  const local: LocalActions = {
    handles: (type: ActionType) => type === 'paging.test',
    apply(type, payload, who) {
      if (type !== 'paging.test') return { ok: false, error: { code: 'bad_payload', message: `${type} is not a paging action` } };
      comms.test((payload as { testId: string }).testId, { actionId: who.id, by: who.actor, login: who.login });
      return { ok: true };
    },
    afterProcess(type, payload, who) {
      if (type !== 'incident.status_update') return;
      const p = payload as { incidentId: string; phase: 'start' | 'update' | 'resolved'; text: string; updateId?: string };
      comms.incidentUpdate(p.updateId ?? who.id, p, { actionId: who.id, by: who.actor, login: who.login });
    },
  };
  return {
    runner,
    deliverer,
    comms,
    /** the actions paging answers or follows (actions.ts) */
    local,
    start() {
      runner.start();
      deliverer.start();
    },
    async stop() {
      runner.stop();
      deliverer.stop();
      await deliverer.idle();
    },
    /** whether the runner and the outbox run here */
    running: () => deliverer.running(),
    /** stops dead, as a killed process would (nothing awaited); start() again resumes from the store */
    halt() {
      runner.stop();
      deliverer.stop();
    },
    /** the source, with a person's `e` (not the consoles' own automatic escalations) paging the next level */
    wrap(source: Source): Source {
      return {
        name: source.name,
        start: (ctx) => source.start(ctx),
        stop: () => source.stop(),
        ...(source.webhook ? { webhook: source.webhook.bind(source) } : {}),
        ...(source.refresh ? { refresh: source.refresh.bind(source) } : {}),
        async apply(action, opts) {
          const out = await source.apply(action, opts);
          if (!out.ok || action.type !== 'alert.escalate') return out;
          const p = action.payload as { fingerprint: string; automatic?: boolean };
          if (p.automatic) return out;
          const r = runner.escalate(p.fingerprint, action.operator);
          return r.ok ? out : { ok: false, error: { code: 'conflict', message: r.reason } };
        },
      };
    },
  };
}
export type Paging = ReturnType<typeof createPaging>;
