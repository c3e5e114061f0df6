/**
 * A gateway source turns an upstream (the built-in demo generator, or a real Alertmanager + Prometheus)
 * into protocol events, and carries actions back to it. The gateway server owns the event log, seq
 * numbers, snapshots, idempotency and auth; a source only reports changes and applies actions.
 */
import type { ActionType } from '@shared/actions';
import type { ClusterStatus, EventDataOf, EventKind } from '@shared/protocol';
import type { AckLedger } from './store';

export type SourceEvent = { [K in EventKind]: { kind: K; data: EventDataOf<K> } }[EventKind];

export interface SourceAction {
  id: string;
  type: ActionType;
  /** already validated against actionPayloads[type] */
  payload: unknown;
  at: number;
  operator: string;
}

export interface ApplyOptions {
  /**
   * An earlier attempt of this action id began and the gateway stopped before storing its result, so the
   * action may already be upstream. The source must find out before applying it again: an object it creates
   * carries the action id (see actionTag), and a resumed expire/unack whose target is already expired is done.
   */
  resumed: boolean;
}

export type ActionOutcome = { ok: true } | { ok: false; error: { code: string; message: string } };

export interface SourceHealth {
  upstream: 'ok' | 'degraded' | 'down';
  detail: string | null;
  /** per cluster, for a source with clusters (which member is down) */
  clusters?: ClusterStatus[];
}

export interface SourceContext {
  /**
   * report changes; the gateway validates each against eventData[kind], drops (and logs) invalid ones,
   * skips upserts identical to the stored entity and removals of unknown ones, and appends the rest to
   * its log in order, in one transaction
   */
  emit(events: SourceEvent[]): void;
  /** report upstream health changes (Alertmanager down → 'down' with the error) */
  health(h: SourceHealth): void;
  now(): number;
  /**
   * The alerts and silences the gateway holds from earlier runs (stored JSON, validated by the caller), so a
   * restarted source reports only what changed while it was away, including what vanished meanwhile.
   * Absent when a source runs without a gateway (tests, benchmarks): it then starts from nothing.
   */
  known?(): { alerts: unknown[]; silences: unknown[] };
  /**
   * Where a source that extends acks records the extensions (the gateway's store), so a count survives a
   * restart. Absent when a source runs without a gateway: it then keeps them in memory.
   */
  ackLedger?: AckLedger;
}

export interface Source {
  readonly name: string;
  start(ctx: SourceContext): Promise<void>;
  stop(): Promise<void>;
  /** applies one action upstream; never throws (errors become { ok: false }). No options = a first attempt. */
  apply(action: SourceAction, opts?: ApplyOptions): Promise<ActionOutcome>;
  /**
   * An Alertmanager webhook v4 body POSTed to the gateway's /webhook. The body is only a nudge (the
   * source re-reads the real state upstream), so the route needs no token; bad bodies get a 400 with
   * the returned message. Sources without it answer 404. `cluster`: the body came to /webhook/<cluster>, so only
   * that cluster needs a fresh look.
   */
  webhook?(body: unknown, cluster?: string): ActionOutcome | Promise<ActionOutcome>;
  /** polls now (one cluster, or all): a follower replica asks its leader for it after changing upstream */
  refresh?(cluster?: string): Promise<void>;
}
