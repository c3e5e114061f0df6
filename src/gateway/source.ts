/**
 * A gateway source turns an upstream (the built-in demo generator, or a real Alertmanager + Prometheus)
 * into protocol events, and carries actions back to it. The gateway server owns the event log, seq
 * numbers, snapshots, idempotency and auth; a source only reports changes and applies actions.
 */
import type { ActionType } from '../shared/actions';
import type { EventDataOf, EventKind } from '../shared/protocol';

export type SourceEvent = { [K in EventKind]: { kind: K; data: EventDataOf<K> } }[EventKind];

export interface SourceAction {
  id: string;
  type: ActionType;
  /** already validated against actionPayloads[type] */
  payload: unknown;
  at: number;
  operator: string;
}

export type ActionOutcome = { ok: true } | { ok: false; error: { code: string; message: string } };

export interface SourceHealth {
  upstream: 'ok' | 'degraded' | 'down';
  detail: string | null;
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
}

export interface Source {
  readonly name: string;
  start(ctx: SourceContext): Promise<void>;
  stop(): Promise<void>;
  /** applies one action upstream; never throws (errors become { ok: false }) */
  apply(action: SourceAction): Promise<ActionOutcome>;
  /**
   * An Alertmanager webhook v4 body POSTed to the gateway's /webhook. The body is only a nudge (the
   * source re-reads the real state upstream), so the route needs no token; bad bodies get a 400 with
   * the returned message. Sources without it answer 404.
   */
  webhook?(body: unknown): ActionOutcome | Promise<ActionOutcome>;
}
