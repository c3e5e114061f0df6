/** A feature module of the core: its slice of handlers, the platform events it stores, its lifecycle. */
import type { MethodTable, SliceHandlers } from '@shared/rpc';
import type { EventApplier } from './context';

export interface CoreModule<T extends MethodTable> {
  handlers: SliceHandlers<T>;
  /** platform event kinds this module stores (applied inside the sync transaction) */
  appliers?: EventApplier[];
  /** called once every module is built (timers, connections) */
  start?(): void;
  stop?(): void | Promise<void>;
}
