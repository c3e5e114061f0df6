/** A feature module of the core: its slice of handlers, the platform events it stores, its lifecycle. */
import type { MethodTable, ParsedArgsOf, SliceHandlers } from '@shared/rpc';
import type { EventApplier } from './context';
import type { WarmupJob } from './warmup';

/**
 * Methods a module can also answer with the JSON text of their value, for a transport that sends JSON
 * (the browser host): cheaper than building the objects it would serialise again. A JSON handler answers
 * exactly what the method's handler would, as text, or null to leave the answer to the handler.
 */
export type JsonHandlers<T extends MethodTable> = { [K in keyof T]?: (...args: ParsedArgsOf<T[K]>) => string | null };

export interface CoreModule<T extends MethodTable> {
  handlers: SliceHandlers<T>;
  json?: JsonHandlers<T>;
  /** platform event kinds this module stores (applied inside the sync transaction) */
  appliers?: EventApplier[];
  /** called once every module is built (timers, connections); must be quick: the first screen waits for it */
  start?(): void;
  /**
   * start-up work that may take long (reading every alert, checking files): run after start(), in slices or
   * off the thread, while the core already answers (warmup.ts)
   */
  warmup?(): WarmupJob[];
  stop?(): void | Promise<void>;
}
